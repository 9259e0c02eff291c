/** The `/healthz` verdict: healthy once the master runs and at least one worker can take requests. */
import type { SupervisorSnapshot } from "./snapshot.js";

export type Health = { ok: true } | { ok: false; reason: string };

/** Healthy when the master is running and ≥ 1 worker is ready or busy (a busy worker has booted). */
export function health(snapshot: SupervisorSnapshot): Health {
  const master = snapshot.master;
  if (master.state !== "running") {
    return {
      ok: false,
      reason: master.state === "down" ? `master is down: ${master.reason}` : `master is ${master.state}`,
    };
  }
  const up = snapshot.workers.filter((w) => w.state === "ready" || w.state === "busy").length;
  if (up === 0) {
    const booting = snapshot.workers.filter((w) => w.state === "booting").length;
    return {
      ok: false,
      reason: booting > 0 ? `no worker ready yet (${booting} booting)` : "no worker ready",
    };
  }
  return { ok: true };
}
