import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { memoryFromSmapsRollup } from "../../../../src/core/proc/process-memory.js";
import { capturedMaster, capturedWorkers, procFixture } from "./fixture.js";

describe("memoryFromSmapsRollup", () => {
  it("reads a real gunicorn master and its workers, uss ≤ pss ≤ rss", () => {
    for (const pid of [capturedMaster, ...capturedWorkers]) {
      const memory = memoryFromSmapsRollup(procFixture("gunicorn-2-workers", String(pid), "smaps_rollup"))!;
      expect(memory.rss).toBeGreaterThan(0);
      expect(memory.uss!).toBeLessThanOrEqual(memory.pss!);
      expect(memory.pss!).toBeLessThanOrEqual(memory.rss!);
      expect(memory.anon).toBeGreaterThan(0);
      expect(memory.anon!).toBeLessThanOrEqual(memory.uss! + memory.swap!);
    }
  });

  it("adds swap to Private_Dirty for anon", () => {
    expect(
      memoryFromSmapsRollup(
        "Rss: 100 kB\nPss: 50 kB\nPrivate_Clean: 4 kB\nPrivate_Dirty: 10 kB\nSwap: 3 kB\n",
      ),
    ).toEqual({ rss: 102400, pss: 51200, uss: 14336, swap: 3072, anon: 13312 });
    expect(memoryFromSmapsRollup("Rss: 100 kB\n")).toMatchObject({ anon: null });
    expect(memoryFromSmapsRollup("")).toBeNull();
    fc.assert(fc.property(fc.string(), (text) => void memoryFromSmapsRollup(text)));
  });
});
