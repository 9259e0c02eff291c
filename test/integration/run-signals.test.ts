/**
 * `gwarden run` passes TTIN / TTOU / HUP on to the gunicorn master and brings a killed master back with
 * backoff, on gunicorn 20.1.0 and 26.2.2 inside a real memory cgroup; bad options and a taken --listen
 * address fail before anything starts, with the flag and the value named.
 */
import { execFile } from "node:child_process";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readEventLog } from "../../src/adapters/run/event-log.js";
import { gunicornReleases, repoRoot } from "../helpers/gunicorns.js";
import { MiB, startRun, until, type GwardenRun } from "./run-harness.js";

const releases = gunicornReleases().filter((r) => r.version === "20.1.0" || r.version.startsWith("26."));
const runs: GwardenRun[] = [];
afterEach(async () => {
  for (const run of runs.splice(0)) await run.close();
});

interface State {
  master: { pid: number; state: string };
  workers: { pid: number; state: string }[];
}

async function state(run: GwardenRun): Promise<State> {
  const answer = await run.api("/api/state");
  return answer.status === 200
    ? (JSON.parse(answer.body) as State)
    : { master: { pid: 0, state: "unknown" }, workers: [] };
}

describe.each(releases.map((r) => [r.version, r] as const))(
  "gwarden run on gunicorn %s",
  (_version, release) => {
    it("forwards TTIN, TTOU and HUP, and restarts a master killed by SIGKILL", async () => {
      const run = await startRun({
        release,
        memoryBytes: 512 * MiB,
        flags: ["--keep-args", "--no-adaptive"],
        gunicornArgs: ["-w", "1"],
      });
      runs.push(run);
      await until(
        "one ready worker",
        async () => (await state(run)).workers.filter((w) => w.state === "ready").length === 1,
      );
      run.child.kill("SIGTTIN");
      await until(
        "two ready workers",
        async () => (await state(run)).workers.filter((w) => w.state === "ready").length === 2,
      );
      run.child.kill("SIGTTOU");
      await until("back to one worker", async () => (await state(run)).workers.length === 1);
      run.child.kill("SIGHUP");
      await until("the HUP warning", () => run.stderr().includes("SIGHUP passed to gunicorn"));

      const first = (await state(run)).master.pid;
      process.kill(first, "SIGKILL");
      await until("a new master", async () => {
        const s = await state(run);
        return (
          s.master.pid !== first && s.master.state === "running" && s.workers.some((w) => w.state === "ready")
        );
      });
      expect(run.stderr()).toMatch(
        /the gunicorn master was killed by SIGKILL; restarting in 1 s \(attempt 1\)/,
      );
      expect(readEventLog(run.eventsPath).filter((e) => e.kind === "restart")).toHaveLength(1);
      run.child.kill("SIGTERM");
      expect((await run.exited).code).toBe(0);
    });
  },
);

function cli(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(repoRoot, "dist", "cli.js"), ...args],
      { timeout: 60_000, cwd: tmpdir() },
      (error, _stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stderr }),
    );
  });
}

describe("gwarden run refuses bad input before starting anything", () => {
  it("names a bad duration, a missing command and a taken --listen address", async () => {
    expect(await cli(["run", "--sample-interval", "5x", "--", "gunicorn", "app:app"])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("`--sample-interval` like 2s") as unknown,
    });
    expect((await cli(["run"])).stderr).toContain("needs the gunicorn command after `--`");
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const result = await cli([
        "run",
        "--events",
        "",
        "--listen",
        `127.0.0.1:${port}`,
        "--",
        "/usr/bin/python3",
        "-m",
        "gunicorn",
        "--chdir",
        join(repoRoot, "example"),
        "app:app",
      ]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`Cannot listen on 127.0.0.1:${port}: the address is already in use`);
      expect(result.stderr).not.toContain("Starting gunicorn");
    } finally {
      taken.close();
    }
  });
});
