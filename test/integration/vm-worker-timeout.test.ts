/**
 * Issue 11's proof, in one run: the original failure reproduced and ended on a small VPS. `gwarden lab
 * --sandbox vm` boots a 1 GiB guest with one slow vCPU (software emulation pinned by QEMU's icount at 62.5
 * million instructions per second of the guest's clock: a starved VPS core, the same on every host and
 * under any load; at emulation's own speed a quiet CI host imported fast enough to dodge the loop) and runs the SimpleLogin-sized example app (72 MiB ballast) there:
 * - gunicorn 20.1.0 with its common flags (`-w 2×CPU+1 --timeout 30`): three workers import at once on
 *   the one vCPU, each import outlasts `timeout`, and the master kills and replaces them in a loop — the
 *   write-up's `[CRITICAL] WORKER TIMEOUT` boot loop, which the lab's root cause (analyze) names;
 * - gwarden's plan, from the app profiled in that guest: boots and serves with 0 timeouts, 0 OOM kills
 *   and 0 failed requests.
 * 1 GiB leaves memory out of it: the loop is the slow CPU's alone.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { vmMissing } from "../../src/adapters/sandbox/vm.js";
import { exampleDir, repoRoot } from "../helpers/gunicorns.js";

const missing = vmMissing();
const work = mkdtempSync(join(tmpdir(), "gwarden-vm-timeout-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(missing !== null && process.env.CI !== "true")(
  "the WORKER TIMEOUT boot loop on a one-vCPU VPS, and the plan that ends it",
  () => {
    it(
      "gunicorn's common flags loop on WORKER TIMEOUT; the plan boots and serves with no timeout, OOM kill or failed request",
      async () => {
        expect(missing, "needs qemu-system-x86, linux-image-amd64 and busybox-static").toBeNull();
        const out = join(work, "out");
        const args = [
          join(repoRoot, "dist", "cli.js"),
          "lab",
          "--sandbox",
          "vm",
          "--tiers",
          "1G",
          "--configs",
          "default,planned",
          "--scenarios",
          "startup,light",
          "--quick",
          // A fixed-speed core (QEMU icount): the same slow VPS on any host and under any load.
          "--vcpu-mips",
          "62",
          // The default loops for the whole window; the plan is ready in about half of it (75 s here).
          "--ready-seconds",
          "150",
          "--env",
          "EXAMPLE_BALLAST_MB=72",
          "--out",
          out,
          "--",
          "/usr/bin/gunicorn",
          "--chdir",
          exampleDir,
          "app:app",
        ];
        const result = await new Promise<{ code: number; stderr: string }>((resolve) => {
          execFile(
            process.execPath,
            args,
            { cwd: work, maxBuffer: 64 * 1024 * 1024, timeout: 30 * 60_000 },
            (error, _stdout, stderr) => resolve({ code: error ? 1 : 0, stderr }),
          );
        });
        const tail = result.stderr.slice(-4000);
        expect(result.code, tail).toBe(0);
        const [header, ...rows] = readFileSync(join(out, "matrix.csv"), "utf8").trim().split("\n");
        const cols = header!.split(",");
        const cell = (config: string, scenario: string, column: string) => {
          const row = rows.find(
            (r) =>
              r.startsWith(`${1024 ** 3},`) &&
              r.split(",")[cols.indexOf("config")] === config &&
              r.split(",")[cols.indexOf("scenario")] === scenario,
          );
          expect(row, `${config} ${scenario} in matrix.csv\n${tail}`).toBeDefined();
          return row!.split(",")[cols.indexOf(column)]!;
        };
        // The write-up's symptom under gunicorn's common flags.
        expect(Number(cell("default", "startup", "worker_timeouts")), tail).toBeGreaterThanOrEqual(3);
        const summary = readFileSync(join(out, "summary.md"), "utf8");
        expect(summary).toMatch(/1G default \([^)]*\), startup\*\*: .*WORKER TIMEOUT.*`boot-timeout-loop`/);
        // The plan: no timeout, no OOM kill, no failed request, and it served.
        for (const scenario of ["startup", "light"]) {
          expect(
            [
              cell("planned", scenario, "worker_timeouts"),
              cell("planned", scenario, "oom_kills"),
              cell("planned", scenario, "failed_requests"),
            ],
            `planned ${scenario}\n${summary}`,
          ).toEqual(["0", "0", "0"]);
        }
        expect(Number(cell("planned", "light", "requests"))).toBeGreaterThan(0);
        expect(cell("planned", "startup", "startup_seconds")).not.toBe("");
        // The box statement: the guest's RAM and the vCPU's speed against the host.
        expect(summary).toMatch(/## The box/);
        expect(summary).toMatch(
          /\| 1G \| [\d.]+ MiB \| none \| — \| 1 \| \d+\.\d s \| \d+\.\d s \| \d+\.\d× \|/,
        );
      },
      35 * 60_000,
    );
  },
);
