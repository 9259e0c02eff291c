/** All finding rules, in report order (most severe first). */
import { deathFindings } from "./findings-deaths.js";
import { masterFindings } from "./findings-master.js";
import { timeoutFindings } from "./findings-timeouts.js";
import type { Finding, FindingInput } from "./finding.js";

const RANK = { critical: 0, warning: 1, info: 2 } as const;

/** Runs every rule over classified, ordered events. */
export function findFindings(input: FindingInput): Finding[] {
  const all = [...masterFindings(input), ...timeoutFindings(input).findings, ...deathFindings(input)];
  return all
    .map((f, i) => ({ f, i }))
    .sort((a, b) => RANK[a.f.severity] - RANK[b.f.severity] || a.i - b.i)
    .map(({ f }) => f);
}
