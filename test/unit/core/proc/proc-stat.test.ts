import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { parseProcStat } from "../../../../src/core/proc/proc-stat.js";
import { capturedMaster, procFixture } from "./fixture.js";

describe("parseProcStat", () => {
  it("reads a real gunicorn master", () => {
    const stat = parseProcStat(procFixture("gunicorn-2-workers", String(capturedMaster), "stat"));
    expect(stat).toMatchObject({
      pid: capturedMaster,
      comm: "python3",
      state: "S",
      ppid: 1,
      utimeTicks: 14,
      stimeTicks: 4,
      numThreads: 1,
    });
    expect(stat!.rssPages).toBe(7127);
    expect(stat!.startTimeTicks).toBe(46422);
  });

  it("reads fields after the last ')' when comm has spaces and parentheses", () => {
    const stat = parseProcStat(procFixture("odd-comm", "stat"));
    expect(stat).toMatchObject({ pid: 8021, comm: "a b) (c", state: "S", ppid: 1, rssPages: 391 });
  });

  it("returns null for junk", () => {
    for (const text of ["", "garbage", "12 (x)", "x (y) S 1", "12 (x) S 1 2 3"])
      expect(parseProcStat(text)).toBeNull();
  });

  it("round-trips any comm and numbers, and never throws on arbitrary text", () => {
    const int = fc.integer({ min: 0, max: 2 ** 40 });
    fc.assert(
      fc.property(
        fc.string({ maxLength: 16 }),
        int,
        int,
        int,
        int,
        int,
        (comm, ppid, utime, stime, start, rss) => {
          const fields = [
            "S",
            ppid,
            0,
            0,
            0,
            -1,
            4194304,
            1,
            0,
            0,
            0,
            utime,
            stime,
            0,
            0,
            20,
            0,
            3,
            0,
            start,
            123456,
            rss,
          ];
          const stat = parseProcStat(`42 (${comm}) ${fields.join(" ")} 18446744073709551615 0 0\n`);
          expect(stat).toMatchObject({
            pid: 42,
            comm,
            ppid,
            utimeTicks: utime,
            stimeTicks: stime,
            startTimeTicks: start,
            rssPages: rss,
            numThreads: 3,
          });
        },
      ),
    );
    fc.assert(fc.property(fc.string(), (text) => void parseProcStat(text)));
  });
});
