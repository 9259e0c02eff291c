/**
 * The stats directory against the real writer (src/python/gwarden_runtime/stats.py run by Debian's
 * Python): made on a tmpfs, read by pid, pruned of dead workers, removed at the end.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openWorkerStatsDir, type WorkerStatsDir } from "../../../../src/adapters/run/worker-stats.js";
import { repoRoot, systemPython } from "../../../helpers/gunicorns.js";

const opened: WorkerStatsDir[] = [];
afterEach(() => {
  for (const dir of opened.splice(0)) dir.close();
});

/** Runs a Python writer that leaves its counters behind (it exits without close()); returns its pid. */
function write(dir: WorkerStatsDir, requests: number): number {
  const script = [
    "import os, time",
    "from gwarden_runtime import stats",
    "c = stats.open_counters(2)",
    `for i in range(${requests}): c.begin(i, time.time()); c.end(i, time.time())`,
    "c.begin('open', time.time())",
    "print(os.getpid())",
  ].join("\n");
  const r = spawnSync(systemPython, ["-c", script], {
    encoding: "utf8",
    env: { ...process.env, ...dir.env, PYTHONPATH: join(repoRoot, "src", "python") },
  });
  expect(r.stderr).toBe("");
  return Number(r.stdout.trim());
}

describe("openWorkerStatsDir", () => {
  it("makes its directory on a tmpfs and reads what the workers wrote, by pid or all", () => {
    const dir = openWorkerStatsDir();
    opened.push(dir);
    expect(dir.tmpfs).toBe(true);
    expect(dir.env).toEqual({ GWARDEN_STATS_DIR: dir.path });
    const a = write(dir, 3);
    const b = write(dir, 5);
    const all = dir.read();
    expect([...all.keys()].sort()).toEqual([a, b].sort());
    expect(all.get(a)).toMatchObject({ pid: a, requests: 3, inFlight: 1, slots: 2 });
    expect(dir.read([b, 999_999_999]).get(b)).toMatchObject({ requests: 5 });
    expect(dir.read([999_999_999]).size).toBe(0);
  });

  it("prunes the files of dead workers and ignores files that are not stats", () => {
    const dir = openWorkerStatsDir();
    opened.push(dir);
    const dead = write(dir, 1);
    writeFileSync(join(dir.path, "notes.txt"), "x");
    writeFileSync(join(dir.path, `${process.pid}.stats`), "not a stats file");
    dir.prune();
    expect(existsSync(join(dir.path, `${dead}.stats`))).toBe(false);
    expect(existsSync(join(dir.path, `${process.pid}.stats`))).toBe(true);
    expect(dir.read().size).toBe(0);
    dir.close();
    expect(existsSync(dir.path)).toBe(false);
    dir.close();
    expect(dir.read().size).toBe(0);
  });

  it("removes the directories a killed gwarden left behind, only those of this pid namespace", () => {
    const first = openWorkerStatsDir();
    opened.push(first);
    const namespace = readlinkSync("/proc/self/ns/pid");
    expect(readFileSync(join(first.path, "owner"), "utf8")).toBe(`${process.pid} ${namespace}\n`);
    const base = join(first.path, "..");
    const left = (name: string, owner: string | null): string => {
      const path = join(base, `gwarden-stats-test-${process.pid}-${name}`);
      mkdirSync(path);
      if (owner !== null) writeFileSync(join(path, "owner"), owner);
      writeFileSync(join(path, "1.stats"), "x");
      return path;
    };
    const dead = left("dead", `999999999 ${namespace}\n`);
    const elsewhere = left("elsewhere", "999999999 pid:[1]\n");
    const unmarked = left("unmarked", null);
    const second = openWorkerStatsDir();
    opened.push(second);
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(first.path)).toBe(true); // its owner (this process) is alive
    expect([existsSync(elsewhere), existsSync(unmarked)]).toEqual([true, true]);
    for (const path of [elsewhere, unmarked]) rmSync(path, { recursive: true });
  });

  it("falls back to the temporary directory when no candidate is a tmpfs", () => {
    const dir = openWorkerStatsDir({ candidates: [repoRoot] });
    opened.push(dir);
    expect(dir.path.startsWith(tmpdir())).toBe(true);
    expect(write(dir, 2)).toBeGreaterThan(0);
    expect([...dir.read().values()][0]).toMatchObject({ requests: 2 });
  });
});
