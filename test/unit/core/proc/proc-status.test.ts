import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { parseProcStatus } from "../../../../src/core/proc/proc-status.js";
import { capturedMaster, procFixture } from "./fixture.js";

describe("parseProcStatus", () => {
  it("reads a real gunicorn master", () => {
    const status = parseProcStatus(procFixture("gunicorn-2-workers", String(capturedMaster), "status"));
    expect(status).toMatchObject({
      name: "python3",
      state: "S",
      pid: capturedMaster,
      ppid: 1,
      threads: 1,
      cpusAllowedList: "0-1",
    });
    expect(status.vmRssBytes).toBeGreaterThan(0);
    expect(status.rssAnonBytes! + status.rssFileBytes! + status.rssShmemBytes!).toBe(status.vmRssBytes);
    expect(status.vmSwapBytes).toBe(0);
  });

  it("keeps a name with spaces and parentheses", () => {
    expect(parseProcStatus(procFixture("odd-comm", "status")).name).toBe("a b) (c");
  });

  it("gives nulls for missing or malformed fields, never throws", () => {
    expect(parseProcStatus("VmRSS:\tlots\nPid: x\n")).toMatchObject({
      vmRssBytes: null,
      pid: null,
      name: null,
    });
    fc.assert(fc.property(fc.string(), (text) => void parseProcStatus(text)));
  });
});
