import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createSampler } from "../../../../src/adapters/run/sampler.js";
import { procTextReader, readListenBacklog } from "../../../../src/adapters/resources/proc-reader.js";
import { repoRoot } from "../../../helpers/gunicorns.js";

const root = join(repoRoot, "test", "fixtures", "proc", "gunicorn-2-workers");

describe("createSampler on a captured /proc", () => {
  it("finds the master, its workers, their memory and the backlog of both listeners", () => {
    const sampler = createSampler({
      masterPid: 7656,
      ports: [18777, 18778],
      procRoot: root,
      selfPid: 7656,
      configuredBacklog: 64,
      wallClock: () => new Date(0),
    });
    const sample = sampler.sampleOnce();
    expect(sample.master).toMatchObject({ pid: 7656, procState: "S", cpuSeconds: 0.18, cpuPercent: null });
    expect(sample.workers.map((w) => w.pid)).toEqual([7658, 7659]);
    for (const w of [sample.master!, ...sample.workers]) {
      expect(w.memory.rss).toBeGreaterThan(0);
      expect(w.memory.uss!).toBeLessThanOrEqual(w.memory.rss!);
    }
    expect(sample.backlog).toEqual({ queued: 12, max: 128, listeners: 2 });
    expect(sample.cgroup).toBeNull();
    expect(sample.time).toBe("1970-01-01T00:00:00.000Z");
    expect(sampler.last).toBe(sample);
  });

  it("gives a null master and no workers when the master is gone", () => {
    const sample = createSampler({
      masterPid: 999_999,
      ports: [1],
      procRoot: root,
      selfPid: 7656,
    }).sampleOnce();
    expect(sample.master).toBeNull();
    expect(sample.workers).toEqual([]);
    expect(sample.backlog).toEqual({ queued: null, max: null, listeners: 0 });
  });

  it("computes CPU percent between samples of the same process, not across pid reuse", () => {
    let ticks = 100;
    let start = 5;
    let t = 0;
    const files: Record<string, () => string> = {
      "1/stat": () => `1 (python3) S 0 1 1 0 -1 0 0 0 0 0 ${ticks} 0 0 0 20 0 1 0 ${start} 1000 10`,
      "1/smaps_rollup": () => "Rss: 8 kB\nPss: 4 kB\nPrivate_Clean: 0 kB\nPrivate_Dirty: 2 kB\nSwap: 0 kB\n",
      "1/task/1/children": () => "",
    };
    const sampler = createSampler({
      masterPid: 1,
      selfPid: 1,
      readText: (p) => files[p]?.() ?? null,
      now: () => t,
    });
    sampler.sampleOnce();
    ticks += 50;
    t += 1000;
    expect(sampler.sampleOnce().master).toMatchObject({
      cpuSeconds: 1.5,
      cpuPercent: 50,
      memory: { rss: 10 * 4096, pss: 4096, anon: 2048 },
    });
    start = 6;
    t += 1000;
    expect(sampler.sampleOnce().master!.cpuPercent).toBeNull();
  });

  it("start() samples at once and on its unref'd timer until stop()", async () => {
    const seen: number[] = [];
    const sampler = createSampler({
      masterPid: 7656,
      procRoot: root,
      selfPid: 7656,
      intervalMs: 10,
      onSample: (s) => seen.push(s.workers.length),
    });
    sampler.start();
    expect(seen).toEqual([2]);
    await new Promise((resolve) => setTimeout(resolve, 60));
    sampler.stop();
    const count = seen.length;
    expect(count).toBeGreaterThan(2);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(seen.length).toBe(count);
  });
});

describe("createSampler cost control", () => {
  const stat = (pid: number) => `${pid} (python3) S 1 1 1 0 -1 0 0 0 0 0 1 1 0 0 20 0 1 0 7 1000 10`;
  const readText = (path: string) =>
    path === "1/task/1/children"
      ? "2 3 4 5"
      : /^\d+\/stat$/.test(path)
        ? stat(Number(path.split("/")[0]))
        : null;

  it("reads smaps_rollup of every process on the first tick, then spreads refreshes over memoryIntervalMs", () => {
    let t = 0;
    const reads: number[][] = [];
    let tick: number[] = [];
    const sampler = createSampler({
      masterPid: 1,
      selfPid: 9,
      readText: (p) => (p === "9/stat" ? stat(9) : readText(p)),
      now: () => t,
      intervalMs: 1000,
      memoryIntervalMs: 3000,
      readMemory: (pid) => (tick.push(pid), { rss: 1, pss: 1, uss: 1, swap: 0, anon: 1 }),
    });
    for (let i = 0; i < 7; i++) {
      tick = [];
      sampler.sampleOnce();
      reads.push(tick);
      t += 1000;
    }
    expect(reads[0]).toEqual([1, 2, 3, 4, 5, 9]);
    for (const r of reads.slice(1)) expect(r.length).toBeLessThanOrEqual(2);
    const perPid = new Map<number, number>();
    for (const pid of reads.slice(1).flat()) perPid.set(pid, (perPid.get(pid) ?? 0) + 1);
    expect([...perPid.keys()].sort()).toEqual([1, 2, 3, 4, 5, 9]);
  });

  it("asked for memory every tick, re-reads only processes whose RSS moved, and each at the default interval", () => {
    let t = 0;
    const rssPages = new Map([
      [1, 1000],
      [2, 1000],
      [3, 1000],
      [9, 1000],
    ]);
    const stat2 = (pid: number) =>
      `${pid} (python3) S 1 1 1 0 -1 0 0 0 0 0 1 1 0 0 20 0 1 0 7 1000 ${rssPages.get(pid) ?? 10}`;
    let tick: number[] = [];
    const sampler = createSampler({
      masterPid: 1,
      selfPid: 9,
      readText: (p) =>
        p === "1/task/1/children" ? "2 3" : /^\d+\/stat$/.test(p) ? stat2(Number(p.split("/")[0])) : null,
      now: () => t,
      intervalMs: 1000,
      memoryIntervalMs: 1000,
      readMemory: (pid) => (tick.push(pid), { rss: 1, pss: 1, uss: 1, swap: 0, anon: 1 }),
    });
    const next = (): number[] => {
      tick = [];
      sampler.sampleOnce();
      t += 1000;
      return tick;
    };
    expect(next()).toEqual([1, 2, 3, 9]);
    expect(next()).toEqual([]); // nothing moved
    rssPages.set(3, 1000 + 256); // 1 MiB more (4 KiB pages)
    rssPages.set(2, 1000 + 100); // 400 KiB: not enough
    expect(next()).toEqual([3]);
    expect(next()).toEqual([]);
    expect(next()).toEqual([]);
    expect(next().sort()).toEqual([1, 2, 9]); // 5 s since their last read
  });

  it("reads each net/tcp file only up to the listeners it found, and skips a family without listeners", () => {
    const calls: string[] = [];
    const sampler = createSampler({
      masterPid: 1,
      selfPid: 1,
      ports: [8000],
      configuredBacklog: 128,
      readText,
      readBacklog: (file, _ports, expected) => (
        calls.push(`${file}:${expected}`),
        file === "net/tcp" ? { queued: 2, max: null, listeners: 1 } : { queued: 0, max: null, listeners: 0 }
      ),
    });
    expect(sampler.sampleOnce().backlog).toEqual({ queued: 2, max: 128, listeners: 1 });
    sampler.sampleOnce();
    expect(calls).toEqual(["net/tcp:Infinity", "net/tcp6:Infinity", "net/tcp:1"]);
  });
});

describe("readListenBacklog", () => {
  it("sums the captured listeners and stops at the expected count", () => {
    expect(readListenBacklog(join(root, "net", "tcp"), [18777])).toEqual({
      queued: 8,
      max: null,
      listeners: 1,
    });
    expect(readListenBacklog(join(root, "net", "tcp6"), [18778], 1)).toEqual({
      queued: 4,
      max: null,
      listeners: 1,
    });
    expect(readListenBacklog(join(root, "net", "tcp"), [1])).toEqual({ queued: 0, max: null, listeners: 0 });
    expect(readListenBacklog(join(root, "net", "nope"), [1])).toBeNull();
  });
});

describe("procTextReader", () => {
  it("reads files larger than its buffer and null for missing ones", () => {
    const read = procTextReader("/proc");
    expect(read("self/stat")).toMatch(/^\d+ \(/);
    expect(read("no/such/file")).toBeNull();
    const fixture = procTextReader(root);
    expect(fixture("net/tcp")!.length).toBeGreaterThan(1000);
    const dir = mkdtempSync(join(tmpdir(), "gwarden-proc-"));
    const big = "x".repeat(200_000) + "\nend";
    writeFileSync(join(dir, "big"), big);
    expect(procTextReader(dir)("big")).toBe(big);
    rmSync(dir, { recursive: true });
  });
});
