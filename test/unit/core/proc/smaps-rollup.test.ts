import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseSmapsFields, parseSmapsRollup } from "../../../../src/core/proc/smaps-rollup.js";
import { repoRoot } from "../../../helpers/gunicorns.js";

const fixture = (name: string): string =>
  readFileSync(join(repoRoot, "test/fixtures/proc/smaps-rollup", name), "utf8");
const kB = 1024;

describe("parseSmapsRollup", () => {
  it("reads a preloaded gunicorn worker captured on Linux 6.x (kB → bytes, USS = private clean + dirty)", () => {
    expect(parseSmapsRollup(fixture("gunicorn-worker-preload"))).toEqual({
      rss: 55260 * kB,
      pss: 27505 * kB,
      uss: (0 + 16800) * kB,
      swap: 0,
    });
  });

  it("reads the preloading master: most of its pages are shared with the workers", () => {
    const master = parseSmapsRollup(fixture("gunicorn-master-preload"))!;
    expect(master.uss).toBe((20 + 16328) * kB);
    expect(master.pss).toBeLessThan(master.rss);
    expect(master.uss).toBeLessThan(master.pss);
  });

  it("reads an older kernel's rollup (no Pss_* breakdown) with swap in use", () => {
    const text = [
      "00400000-7ffd1c3f2000 ---p 00000000 00:00 0                              [rollup]",
      "Rss:               10240 kB",
      "Pss:                8000 kB",
      "Shared_Clean:       2048 kB",
      "Shared_Dirty:          0 kB",
      "Private_Clean:       100 kB",
      "Private_Dirty:      8092 kB",
      "Swap:               4096 kB",
      "SwapPss:            4096 kB",
    ].join("\n");
    expect(parseSmapsRollup(text)).toEqual({
      rss: 10240 * kB,
      pss: 8000 * kB,
      uss: 8192 * kB,
      swap: 4096 * kB,
    });
  });

  it("returns null for an empty or unreadable text (a process that just exited)", () => {
    expect(parseSmapsRollup("")).toBeNull();
    expect(parseSmapsRollup("garbage\nmore garbage")).toBeNull();
  });

  it("keeps every field, and skips lines it cannot read", () => {
    const fields = parseSmapsFields("Rss: 4 kB\nbroken line\nPss_Anon:  2 kB\n");
    expect([...fields]).toEqual([
      ["Rss", 4096],
      ["Pss_Anon", 2048],
    ]);
  });
});
