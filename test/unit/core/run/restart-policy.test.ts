import { describe, expect, it } from "vitest";
import {
  DEFAULT_RESTART_POLICY,
  decideRestart,
  type MasterRun,
} from "../../../../src/core/run/restart-policy.js";

const crash = (startedAtMs: number, endedAtMs: number, code = 1): MasterRun => ({
  startedAtMs,
  endedAtMs,
  exit: { code, signal: null },
});

describe("decideRestart", () => {
  it("backs off 1 s, 2 s, 4 s ... up to 30 s on fast failures", () => {
    const history: MasterRun[] = [];
    const delays: number[] = [];
    let t = 0;
    for (let i = 0; i < 5; i++) {
      history.push(crash(t, t + 500));
      const d = decideRestart(history, { ...DEFAULT_RESTART_POLICY, maxRestarts: 10 });
      if (d.action === "restart") delays.push(d.delayMs);
      t += 10_000;
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000]);
    for (let i = 0; i < 3; i++) history.push(crash(t, t + 500));
    const d = decideRestart(history, { ...DEFAULT_RESTART_POLICY, maxRestarts: 10 });
    expect(d).toMatchObject({ action: "restart", delayMs: 30_000 });
  });

  it("gives up after --max-restarts fast failures (flapping)", () => {
    const history = [crash(0, 800, 3), crash(2000, 2800, 3)];
    expect(decideRestart(history.slice(0, 1), { ...DEFAULT_RESTART_POLICY, maxRestarts: 1 }).action).toBe(
      "restart",
    );
    const d = decideRestart(history, { ...DEFAULT_RESTART_POLICY, maxRestarts: 1 });
    expect(d.action).toBe("give-up");
    expect(d.reason).toContain("flapping");
  });

  it("resets after a stable run, exits on a clean exit, gives up on a usage error", () => {
    const history = [crash(0, 500), crash(1000, 1500), crash(2000, 200_000, 1)];
    expect(decideRestart(history)).toMatchObject({ action: "restart", attempt: 1, delayMs: 1000 });
    expect(decideRestart([crash(0, 100, 0)]).action).toBe("exit");
    expect(decideRestart([crash(0, 100, 2)]).action).toBe("give-up");
    expect(
      decideRestart([{ startedAtMs: 0, endedAtMs: 90_000, exit: { code: null, signal: "SIGKILL" } }]),
    ).toMatchObject({ action: "restart", delayMs: 1000 });
  });
});
