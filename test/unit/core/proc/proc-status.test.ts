import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { countCpuList, parseProcStatus } from "../../../../src/core/proc/proc-status.js";
import { capturedMaster, procFixture } from "./fixture.js";

describe("parseProcStatus", () => {
  it("reads a real gunicorn master", () => {
    const status = parseProcStatus(procFixture("gunicorn-2-workers", String(capturedMaster), "status"));
    expect(status).toMatchObject({ name: "python3", state: "S", pid: capturedMaster, ppid: 1, threads: 1, cpusAllowedCount: 2 });
    expect(status.vmRssBytes).toBeGreaterThan(0);
    expect(status.rssAnonBytes! + status.rssFileBytes! + status.rssShmemBytes!).toBe(status.vmRssBytes);
    expect(status.vmSwapBytes).toBe(0);
  });

  it("keeps a name with spaces and parentheses", () => {
    expect(parseProcStatus(procFixture("odd-comm", "status")).name).toBe("a b) (c");
  });

  it("gives nulls for missing or malformed fields, never throws", () => {
    expect(parseProcStatus("VmRSS:\tlots\nPid: x\n")).toMatchObject({ vmRssBytes: null, pid: null, name: null });
    fc.assert(fc.property(fc.string(), (text) => void parseProcStatus(text)));
  });

  it("counts cpu lists", () => {
    expect(countCpuList("0-1")).toBe(2);
    expect(countCpuList("0-3,8,10-11")).toBe(7);
    expect(countCpuList("3-1")).toBeNull();
    expect(countCpuList("a")).toBeNull();
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(64), fc.nat(8)), { minLength: 1, maxLength: 6 }), (ranges) => {
        const text = ranges.map(([from, span]) => (span === 0 ? `${from}` : `${from}-${from + span}`)).join(",");
        expect(countCpuList(text)).toBe(ranges.reduce((sum, [, span]) => sum + span + 1, 0));
      }),
    );
  });
});
