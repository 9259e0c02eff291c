import { describe, expect, it } from "vitest";
import type { GunicornEvent } from "../../../../src/core/events/types.js";
import { NO_ECHOES, noteReport, type EchoState } from "../../../../src/core/run/dedupe.js";

/** Feeds reports in order; returns which were echoes. */
function echoes(reports: [GunicornEvent, number][]): boolean[] {
  let state: EchoState = NO_ECHOES;
  return reports.map(([event, at]) => {
    const noted = noteReport(state, event, at);
    state = noted.state;
    return noted.echo;
  });
}

describe("noteReport", () => {
  it("drops the log's echo of a hook's report within the window, never supervisor events", () => {
    const kill: GunicornEvent = {
      kind: "boot_deadline_kill",
      pid: 11,
      deadlineSeconds: 4,
      source: "supervisor",
    };
    expect(
      echoes([
        [{ kind: "worker_boot", pid: 11, source: "hook" }, 0],
        [{ kind: "worker_boot", pid: 11, source: "log" }, 50],
        [{ kind: "worker_boot", pid: 12, source: "log" }, 60],
        [{ kind: "worker_boot", pid: 11, source: "log" }, 20_100],
        [kill, 20_200],
        [kill, 20_300],
      ]),
    ).toEqual([false, true, false, false, false, false]);
  });

  it("stays bounded: old keys go once there are many", () => {
    let state: EchoState = NO_ECHOES;
    for (let pid = 1; pid <= 2000; pid++)
      state = noteReport(state, { kind: "worker_boot", pid, source: "hook" }, pid * 100).state;
    expect(state.size).toBeLessThan(700);
  });
});
