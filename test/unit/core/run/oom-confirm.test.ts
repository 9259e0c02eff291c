import { describe, expect, it } from "vitest";
import { createClassifier } from "../../../../src/core/events/classify.js";
import type { GunicornEvent } from "../../../../src/core/events/types.js";
import { confirmOom, mayBeOom } from "../../../../src/core/run/oom-confirm.js";

const MiB = 1048576;
const mem = (rss: number, uss: number) => ({
  rss: rss * MiB,
  pss: uss * MiB,
  uss: uss * MiB,
  swap: 0,
  anon: uss * MiB,
});
const cgroup = {
  limitBytes: 300 * MiB,
  usageBytes: 290 * MiB,
  workingSetBytes: 280 * MiB,
  swapUsageBytes: 0,
  memoryPressure: null,
  oomKills: 0,
};

/** A recorded sequence: the hog request's worker dies by SIGKILL (hook child_exit), classified live. */
function classified(events: GunicornEvent[]): GunicornEvent {
  const c = createClassifier();
  return events.map((e) => c.classify(e)).pop()!;
}

describe("confirmOom", () => {
  const death = classified([
    { kind: "start", pid: 100, source: "hook" },
    { kind: "worker_boot", pid: 101, source: "hook" },
    { kind: "worker_ready", pid: 101, source: "hook" },
    { kind: "worker_signal", pid: 101, signal: "SIGKILL", cause: "unknown", source: "hook" },
  ]);

  it("confirms a SIGKILL when the cgroup counter rose, with the victim, the group and a recommendation", () => {
    expect(death.kind === "worker_signal" && death.cause).toBe("oom-suspected");
    const event = confirmOom({
      death,
      oomBefore: 0,
      oomAfter: 1,
      victim: mem(250, 240),
      cgroup,
      others: [{ pid: 102, memory: mem(60, 40) }],
      recycleBytes: 120 * MiB,
    });
    expect(event).toMatchObject({
      kind: "worker_signal",
      pid: 101,
      signal: "SIGKILL",
      cause: "oom-confirmed",
      source: "cgroup",
    });
    expect(event!.detail).toContain("rss 250 MiB");
    expect(event!.detail).toContain("usage 290 MiB of limit 300 MiB");
    expect(event!.detail).toContain("102: 40 MiB");
    expect(event!.detail).toContain("one request grew it");
  });

  it("does not confirm without a counter rise, or for a timeout escalation", () => {
    expect(confirmOom({ death, oomBefore: 1, oomAfter: 1, victim: null, cgroup, others: [] })).toBeNull();
    expect(confirmOom({ death, oomBefore: null, oomAfter: 1, victim: null, cgroup, others: [] })).toBeNull();
    const escalation = classified([
      { kind: "start", pid: 100, source: "log" },
      { kind: "worker_timeout", pid: 101, source: "log" },
      { kind: "worker_signal", pid: 101, signal: "SIGKILL", cause: "unknown", source: "log" },
    ]);
    expect(mayBeOom(escalation)).toBe(false);
    expect(
      confirmOom({ death: escalation, oomBefore: 0, oomAfter: 1, victim: null, cgroup, others: [] }),
    ).toBeNull();
  });

  it("a silent /proc disappearance counts, and a full group recommends fewer workers", () => {
    const silent: GunicornEvent = {
      kind: "worker_signal",
      pid: 101,
      signal: "unknown",
      cause: "unknown",
      source: "proc",
    };
    const event = confirmOom({
      death: silent,
      oomBefore: 2,
      oomAfter: 3,
      victim: mem(100, 90),
      cgroup,
      others: [{ pid: 102, memory: mem(100, 90) }],
    });
    expect(event!.detail).toContain("run fewer workers");
  });
});
