import { describe, expect, it } from "vitest";
import { age, bytes, fit, right, scrub } from "../../../../src/core/monitor/format.js";
import { recentEvents } from "../../../../src/core/monitor/view.js";

describe("frame text helpers", () => {
  it("writes sizes and ages for people, — when unknown", () => {
    expect([
      bytes(null),
      bytes(512 * 1024),
      bytes(45.24 * 1048576),
      bytes(300 * 1048576),
      bytes(1.5 * 1073741824),
    ]).toEqual(["—", "512 KiB", "45.2 MiB", "300 MiB", "1.50 GiB"]);
    const now = "2026-11-27T04:00:00.000Z";
    expect([
      age(null, now),
      age("2026-11-27T03:59:18.000Z", now),
      age("2026-11-27T03:55:00.000Z", now),
      age("2026-11-27T01:30:00.000Z", now),
      age("2026-11-25T02:00:00.000Z", now),
    ]).toEqual(["—", "42s", "5m00s", "2h30m", "2d2h"]);
  });

  it("fits and aligns by characters, not bytes", () => {
    expect(fit("█▒░", 5)).toBe("█▒░  ");
    expect(fit("abcdef", 4)).toBe("abc…");
    expect(right("42", 5)).toBe("   42");
    expect(scrub("a\u001b[2Jb\rc\u009bd")).toBe("a?[2Jb?c?d");
  });

  it("keeps the events of the last minute, and those without a time", () => {
    const events = [{ time: "2026-11-27T03:58:00.000Z" }, { time: "2026-11-27T03:59:30.000Z" }, {}];
    expect(recentEvents(events, "2026-11-27T04:00:00.000Z")).toEqual([
      { time: "2026-11-27T03:59:30.000Z" },
      {},
    ]);
  });
});
