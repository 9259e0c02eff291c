import { describe, expect, it } from "vitest";
import type { GunicornEvent } from "../../../../src/core/events/types.js";
import {
  EMPTY_BOOT_CLOCK,
  noteBootEvent,
  noteBootSeen,
  overdueBoots,
  type BootClock,
} from "../../../../src/core/run/boot-deadline.js";

function replay(steps: [number, GunicornEvent][]): BootClock {
  return steps.reduce((clock, [at, event]) => noteBootEvent(clock, event, at), EMPTY_BOOT_CLOCK);
}

const boot = (pid: number): GunicornEvent => ({ kind: "worker_boot", pid, source: "hook" });
const ready = (pid: number): GunicornEvent => ({ kind: "worker_ready", pid, source: "hook" });

describe("boot deadline", () => {
  // A hung import on 22+: worker 11 never reaches post_worker_init, 12 does.
  const clock = replay([
    [0, { kind: "start", pid: 10, source: "hook" }],
    [100, boot(11)],
    [150, boot(12)],
    [1400, ready(12)],
  ]);

  it("names only the worker still booting past the deadline", () => {
    expect(overdueBoots(clock, 5000, 5000)).toEqual([]);
    expect(overdueBoots(clock, 5101, 5000)).toEqual([11]);
  });

  it("stops a clock at the worker's death and clears all on a new master", () => {
    expect(
      overdueBoots(
        noteBootEvent(
          clock,
          { kind: "worker_signal", pid: 11, signal: "SIGKILL", cause: "unknown", source: "hook" },
          6000,
        ),
        9000,
        5000,
      ),
    ).toEqual([]);
    expect(noteBootEvent(clock, { kind: "start", source: "log" }, 6000).size).toBe(0);
  });

  it("a duplicate boot (hook and log) keeps the first time; a worker seen in /proc first starts its clock", () => {
    expect(overdueBoots(noteBootEvent(clock, boot(11), 4000), 5200, 5000)).toEqual([11]);
    const seen = noteBootSeen(EMPTY_BOOT_CLOCK, 20, 1000, false);
    expect(overdueBoots(noteBootSeen(seen, 21, 1000, true), 7000, 5000)).toEqual([20]);
  });
});
