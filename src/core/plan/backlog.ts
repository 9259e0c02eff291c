/** The listen backlog: small on a small box, so an overload is refused fast instead of queued past every client timeout. */
import type { PlanReason } from "./types.js";
import { BACKLOG_MAX, BACKLOG_MIN, BACKLOG_PER_SLOT } from "./defaults.js";

/** backlog = clamp(64 × concurrency, 64, 2048). */
export function planBacklog(concurrency: number): { value: number; reason: PlanReason } {
  const value = Math.min(BACKLOG_MAX, Math.max(BACKLOG_MIN, BACKLOG_PER_SLOT * concurrency));
  return {
    value,
    reason: {
      value: String(value),
      reason:
        "a connection queued behind thousands of others on a box serving a few requests at a time waits past any client or proxy timeout; a shorter queue fails fast so the proxy can retry or answer 503 (gunicorn's 2048 is capped by net.core.somaxconn anyway)",
      arithmetic: `clamp(${BACKLOG_PER_SLOT} × ${concurrency} slots, ${BACKLOG_MIN}, ${BACKLOG_MAX}) = ${value}`,
    },
  };
}
