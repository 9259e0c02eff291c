/**
 * `gwarden run` as PID 1 of a fresh pid namespace (what a container entrypoint is), on gunicorn 20.1.0
 * and 26.2.2: it says so, an orphan made by the app is reaped (the master is a child subreaper) instead
 * of staying a zombie, and SIGTERM still stops everything gracefully with exit 0.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { gunicornReleases, repoRoot } from "../helpers/gunicorns.js";
import { MiB, startRun, until, type GwardenRun } from "./run-harness.js";

const releases = gunicornReleases().filter((r) => r.version === "20.1.0" || r.version.startsWith("26."));
const runs: GwardenRun[] = [];
afterEach(async () => {
  for (const run of runs.splice(0)) await run.close();
});

function stat(pid: number): { state: string; comm: string; ppid: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return {
      comm: text.slice(text.indexOf("(") + 1, text.lastIndexOf(")")),
      state: rest[0]!,
      ppid: Number(rest[1]),
    };
  } catch {
    return null;
  }
}

/** Zombies whose parent is one of `parents` (a zombie has left its cgroup, so /proc is scanned). */
function zombiesOf(parents: readonly number[]): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => {
      const s = stat(pid);
      return s !== null && s.state === "Z" && parents.includes(s.ppid);
    });
}

describe.each(releases.map((r) => [r.version, r] as const))(
  "gwarden run as PID 1 on gunicorn %s",
  (_version, release) => {
    it("reaps the app's orphans and stops on SIGTERM", async () => {
      const run = await startRun({
        release,
        memoryBytes: 512 * MiB,
        prefix: ["unshare", "--pid", "--fork", "--mount-proc"],
        appDir: join(repoRoot, "test", "fixtures", "wsgi-orphan"),
        gunicornArgs: ["-w", "1"],
        flags: ["--keep-args"],
      });
      runs.push(run);
      await until("/healthz 200", async () => (await run.api("/healthz")).status === 200);
      expect(run.stderr()).toContain("running as PID 1: the gunicorn master is made a child subreaper");
      for (let i = 0; i < 5; i++) expect((await run.app("/orphan")).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(zombiesOf(run.sandbox.pids())).toEqual([]);
      // The host pid of gwarden (PID 1 inside): the node process in the group.
      const gwarden = run.sandbox.pids().find((pid) => stat(pid)?.comm === "node")!;
      process.kill(gwarden, "SIGTERM");
      expect((await run.exited).code).toBe(0);
    });
  },
);
