import { describe, expect, it } from "vitest";
import { foldEvents, initialLifecycle } from "../../../../src/core/events/lifecycle.js";
import type { EventDraft, GunicornEvent } from "../../../../src/core/events/types.js";
import { parseLog } from "../../../../src/core/log/log-parser.js";
import { readFixture } from "../analyze/fixture-files.js";

const at = (s: number): string => `2024-01-01T12:00:${String(s).padStart(2, "0")}Z`;
const ev = (e: EventDraft, s = 0): GunicornEvent => ({ ...e, source: "log", time: at(s) }) as GunicornEvent;

describe("lifecycle state machine", () => {
  const boot = [
    ev({ kind: "start", version: "23.0.0", pid: 1 }),
    ev({ kind: "listening", address: "x", pid: 1 }),
    ev({ kind: "worker_boot", pid: 2 }),
    ev({ kind: "worker_boot", pid: 3 }),
  ];

  it("starts, boots and readies workers", () => {
    expect(foldEvents(boot).master).toEqual({ phase: "starting" });
    const s = foldEvents([...boot, ev({ kind: "worker_ready", pid: 2 }, 1)]);
    expect(s.master).toEqual({ phase: "running" });
    expect(s.version).toBe("23.0.0");
    expect([...s.workers.values()].map((w) => w.phase)).toEqual(["ready", "booting"]);
  });

  it("moves timed-out workers to exiting and then dead with a cause", () => {
    const s = foldEvents([
      ...boot,
      ev({ kind: "worker_timeout", pid: 2 }, 40),
      ev({ kind: "worker_exit", pid: 2 }, 40),
    ]);
    expect(s.master).toEqual({ phase: "running" });
    expect(s.dead).toMatchObject([{ phase: "dead", pid: 2, cause: "timeout" }]);
    expect(s.owed).toBe(1);
  });

  it("treats the doubled death lines of one worker as one death", () => {
    const s = foldEvents([
      ...boot,
      ev({ kind: "worker_exit", pid: 2 }, 9),
      ev({ kind: "worker_exit_code", pid: 2, code: 1 }, 9),
    ]);
    expect(s.dead).toHaveLength(1);
    expect(s.dead[0]).toMatchObject({ cause: "exit-code", code: 1 });
    expect(s.owed).toBe(1);
  });

  it("infers a hard death when a replacement boots with no death line (≤20.0)", () => {
    const s = foldEvents([...boot, ev({ kind: "worker_boot", pid: 4 }, 50)]);
    expect(s.hardDeaths).toBe(1);
    expect(s.lastHardDeath).toEqual({ replacedBy: 4, time: at(50) });
    const t = foldEvents([
      ...boot,
      ev({ kind: "worker_timeout", pid: 2 }, 40),
      ev({ kind: "worker_boot", pid: 4 }, 41),
    ]);
    expect(t.lastHardDeath?.pid).toBe(2);
    expect(t.dead).toMatchObject([{ pid: 2, cause: "timeout-escalation" }]);
  });

  it("does not call TTIN, HUP or TTOU replacements hard deaths", () => {
    const s = foldEvents([
      ...boot,
      ev({ kind: "master_signal", signal: "ttin", pid: 1 }, 10),
      ev({ kind: "worker_boot", pid: 4 }, 10),
      ev({ kind: "master_signal", signal: "ttou", pid: 1 }, 20),
      ev({ kind: "worker_exit", pid: 2 }, 20),
      ev({ kind: "master_signal", signal: "hup", pid: 1 }, 30),
      ev({ kind: "worker_boot", pid: 5 }, 30),
      ev({ kind: "worker_boot", pid: 6 }, 30),
      ev({ kind: "worker_exit", pid: 3 }, 31),
      ev({ kind: "worker_exit", pid: 4 }, 31),
    ]);
    expect(s.hardDeaths).toBe(0);
    expect(s.master).toEqual({ phase: "running" });
    expect(s.dead.map((w) => (w.phase === "dead" ? w.cause : ""))).toEqual([
      "scale-down",
      "scale-down",
      "scale-down",
    ]);
    expect([...s.workers.keys()]).toEqual([5, 6]);
  });

  it("stops, halts, crashes, and resets on Starting gunicorn", () => {
    const stopped = foldEvents([
      ...boot,
      ev({ kind: "master_signal", signal: "term", pid: 1 }, 5),
      ev({ kind: "worker_exit", pid: 2 }, 5),
    ]);
    expect(stopped.master).toEqual({ phase: "stopping", signal: "term" });
    expect(stopped.dead[0]).toMatchObject({ cause: "shutdown" });
    const halted = foldEvents([ev({ kind: "halt", reason: "App failed to load.", exitCode: 4 })], stopped);
    expect(halted.master).toEqual({ phase: "halted", reason: "App failed to load.", exitCode: 4 });
    const crashed = foldEvents([ev({ kind: "master_crash", message: "HaltServer" })], stopped);
    expect(crashed.master.phase).toBe("crashed");
    const again = foldEvents([ev({ kind: "start", version: "26.2.2", pid: 1 })], halted);
    expect(again).toMatchObject({ master: { phase: "starting" }, version: "26.2.2", dead: [], owed: 0 });
    expect(again.workers.size).toBe(0);
  });

  it("accepts pids never seen booting and events with no pid", () => {
    const s = foldEvents(
      [
        ev({ kind: "worker_exit", pid: 77 }),
        ev({ kind: "worker_timeout" }),
        ev({ kind: "worker_signal", pid: 78, signal: "SIGKILL", cause: "oom-suspected" }),
      ],
      initialLifecycle(),
    );
    expect(s.dead.map((w) => w.pid)).toEqual([77, 78]);
    expect(s.hardDeaths).toBe(0);
  });

  it("folds a real 20.1.0 max-requests log to a halted master with no hard deaths", () => {
    const s = foldEvents(parseLog(readFixture("20.1.0/max-requests.log")));
    expect(s.master.phase).toBe("halted");
    expect(s.hardDeaths).toBe(0);
    expect(s.dead.some((w) => w.phase === "dead" && w.cause === "max-requests")).toBe(true);
  });

  it("keeps bounded state over 400 000 events", () => {
    let events: GunicornEvent[] = [ev({ kind: "start", pid: 1 }), ev({ kind: "worker_boot", pid: 2 })];
    let state = foldEvents(events);
    for (let pid = 3; pid < 200_003; pid++) {
      events = [ev({ kind: "worker_exit", pid: pid - 1 }, 30), ev({ kind: "worker_boot", pid }, 30)];
      state = foldEvents(events, state);
    }
    expect(state.dead.length).toBeLessThanOrEqual(64);
    expect(state.workers.size).toBe(1);
  });
});
