import { describe, expect, it } from "vitest";
import { createDeduper } from "../../../../src/core/run/dedupe.js";

describe("createDeduper", () => {
  it("drops the log's echo of a hook's report within the window, never supervisor events", () => {
    const d = createDeduper(10_000);
    expect(d.isEcho({ kind: "worker_boot", pid: 11, source: "hook" }, 0)).toBe(false);
    expect(d.isEcho({ kind: "worker_boot", pid: 11, source: "log" }, 50)).toBe(true);
    expect(d.isEcho({ kind: "worker_boot", pid: 12, source: "log" }, 60)).toBe(false);
    expect(d.isEcho({ kind: "worker_boot", pid: 11, source: "log" }, 20_100)).toBe(false);
    expect(
      d.isEcho({ kind: "boot_deadline_kill", pid: 11, deadlineSeconds: 4, source: "supervisor" }, 20_200),
    ).toBe(false);
    expect(
      d.isEcho({ kind: "boot_deadline_kill", pid: 11, deadlineSeconds: 4, source: "supervisor" }, 20_300),
    ).toBe(false);
  });
});
