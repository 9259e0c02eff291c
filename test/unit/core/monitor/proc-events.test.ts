import { describe, expect, it } from "vitest";
import { procEvents, type ProcLook } from "../../../../src/core/monitor/proc-events.js";

function look(workers: Array<[number, number]>, over: Partial<ProcLook> = {}): ProcLook {
  return {
    time: "2026-11-27T04:00:00.000Z",
    masterAlive: true,
    workers: new Map(workers),
    oomKills: 0,
    ...over,
  };
}

describe("procEvents", () => {
  it("says nothing on the first look or when nothing changed", () => {
    expect(procEvents(null, look([[1, 10]]))).toEqual([]);
    expect(procEvents(look([[1, 10]]), look([[1, 10]]))).toEqual([]);
  });

  it("turns a replaced worker into a death and a boot", () => {
    const events = procEvents(
      look([
        [1, 10],
        [2, 11],
      ]),
      look([
        [1, 10],
        [3, 20],
      ]),
    );
    expect(events.map((e) => [e.kind, e.pid, e.source])).toEqual([
      ["worker_signal", 2, "proc"],
      ["worker_boot", 3, "proc"],
    ]);
    expect(events[0]).toMatchObject({ cause: "unknown", detail: expect.stringContaining("replaced") });
  });

  it("blames the OOM killer when the cgroup counter rose", () => {
    const events = procEvents(look([[1, 10]], { oomKills: 2 }), look([], { oomKills: 3 }));
    expect(events).toEqual([
      expect.objectContaining({ kind: "worker_signal", pid: 1, cause: "oom-confirmed", source: "cgroup" }),
    ]);
  });

  it("treats a reused pid with a new start time as a new process", () => {
    const events = procEvents(look([[5, 10]]), look([[5, 99]]));
    expect(events.map((e) => e.kind)).toEqual(["worker_signal", "worker_boot"]);
  });

  it("reports the master gone as a halt and its workers as exits", () => {
    const events = procEvents(look([[1, 10]]), look([], { masterAlive: false }));
    expect(events.map((e) => e.kind)).toEqual(["halt", "worker_exit"]);
  });
});
