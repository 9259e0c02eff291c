/**
 * `gwarden lab` end to end on cgroup v2 sandboxes (runs in the VM tier's guest): a tiny WSGI app at a
 * 256 MiB tier with gwarden's plan, through startup and a light load. The lab writes its contract
 * (matrix.csv rows), the planned config passes with no timeouts, OOM kills or failed requests, and no
 * v2 group is left behind.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "../helpers/gunicorns.js";
import { CGROUP_ROOT, v2Delegated } from "./v2-groups.js";

const work = mkdtempSync(join(tmpdir(), "gwarden-lab-v2-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(!v2Delegated())("gwarden lab on cgroup v2", () => {
  it("runs the planned config in v2 sandboxes and writes the matrix", async () => {
    const out = join(work, "out");
    const app = join(repoRoot, "test", "fixtures", "wsgi-sampler");
    const args = [
      join(repoRoot, "dist", "cli.js"),
      "lab",
      "--quick",
      "--tiers",
      "256M",
      "--configs",
      "planned",
      "--scenarios",
      "startup,light",
      "--ready-seconds",
      "240",
      "--out",
      out,
      "--",
      "/usr/bin/gunicorn",
      "--chdir",
      app,
      "app:app",
    ];
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        args,
        { cwd: work, maxBuffer: 16 * 1024 * 1024 },
        (error, _stdout, stderr) => resolve({ code: error ? (child.exitCode ?? 1) : 0, stderr }),
      );
    });
    expect(result.code, result.stderr.slice(-3000)).toBe(0);
    const [header, ...rows] = readFileSync(join(out, "matrix.csv"), "utf8").trim().split("\n");
    const cols = header!.split(",");
    const cell = (row: string, name: string) => row.split(",")[cols.indexOf(name)];
    const summary = readFileSync(join(out, "summary.md"), "utf8");
    expect(rows, summary).toHaveLength(2);
    for (const row of rows) {
      expect(cell(row, "config")).toBe("planned");
      expect(
        [cell(row, "worker_timeouts"), cell(row, "oom_kills"), cell(row, "failed_requests")],
        summary,
      ).toEqual(["0", "0", "0"]);
    }
    const light = rows.find((r) => cell(r, "scenario") === "light")!;
    expect(Number(cell(light, "requests")), summary).toBeGreaterThan(0);
    expect(Number(cell(light, "peak_memory_bytes"))).toBeGreaterThan(0);
    expect(readdirSync(CGROUP_ROOT).filter((d) => d.startsWith("gwarden-lab-"))).toEqual([]);
  });
});
