/** One line per event for the live views (the analyze wording, plus deaths seen only in /proc). */
import { describeEvent } from "../analyze/describe.js";
import type { GunicornEvent } from "../events/types.js";

/** What an event says; a death seen only in /proc has no signal to name. */
export function eventText(e: GunicornEvent): string {
  return e.kind === "worker_signal" && e.signal === "unknown"
    ? `worker died${e.detail ? ` (${e.detail})` : ""}`
    : describeEvent(e);
}
