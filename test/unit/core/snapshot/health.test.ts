import { describe, expect, it } from "vitest";
import { health } from "../../../../src/core/snapshot/health.js";
import { snapshot, worker } from "./example-snapshot.js";

describe("health", () => {
  it("is ok with a running master and a ready or busy worker", () => {
    expect(health(snapshot())).toEqual({ ok: true });
    expect(health(snapshot({ workers: [worker(5, "busy")] }))).toEqual({ ok: true });
  });

  it("says why it is not ok", () => {
    expect(health(snapshot({ workers: [worker(5, "booting")] }))).toEqual({
      ok: false,
      reason: "no worker ready yet (1 booting)",
    });
    expect(health(snapshot({ workers: [] }))).toEqual({ ok: false, reason: "no worker ready" });
    const master = {
      ...snapshot().master,
      state: "down" as const,
      reason: "exited with code 4",
      exitCode: 4,
    };
    expect(health(snapshot({ master }))).toEqual({ ok: false, reason: "master is down: exited with code 4" });
    expect(health(snapshot({ master: { ...snapshot().master, state: "starting" } }))).toEqual({
      ok: false,
      reason: "master is starting",
    });
  });
});
