/** The plan as one JSON document (the contract of `plan --format json`). */
import type { Plan } from "../plan/types.js";

/** Pretty JSON of the whole plan, reasons, warnings and conflicts included. */
export function emitJson(plan: Plan): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}
