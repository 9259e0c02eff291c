import type { GunicornEvent } from "../../../../src/core/events/types.js";
import { judge } from "../../../../src/core/monitor/verdict.js";
import type { MonitorView } from "../../../../src/core/monitor/view.js";
import type { SupervisorSnapshot } from "../../../../src/core/snapshot/snapshot.js";
import { snapshot, worker } from "../snapshot/example-snapshot.js";

/** Events of a worker killed and replaced a few seconds before the snapshot. */
export const killEvents: GunicornEvent[] = [
  {
    kind: "worker_signal",
    pid: 103,
    signal: "SIGKILL",
    cause: "unknown",
    source: "proc",
    time: "2026-11-27T04:00:02.000Z",
    detail: "gone from the master's children",
  },
  { kind: "worker_boot", pid: 104, source: "proc", time: "2026-11-27T04:00:03.000Z" },
];

/** A monitor view over the example snapshot. */
export function view(
  over: Partial<SupervisorSnapshot> = {},
  events: GunicornEvent[] = [],
  extra: Partial<MonitorView> = {},
): MonitorView {
  const snap = snapshot({
    workers: [
      worker(101, "ready"),
      worker(102, "busy", { cpuPercent: 97.2, requests: 40 }),
      worker(104, "booting", { bootedAt: "2026-11-27T04:00:03.000Z", requests: null, cpuPercent: null }),
    ],
    ...over,
  });
  return {
    mode: "api",
    target: "http://127.0.0.1:9191",
    now: snap.time,
    snapshot: snap,
    cpu: { quota: 1, effective: 1 },
    events,
    verdict: judge(snap, events),
    error: null,
    ...extra,
  };
}
