/**
 * What a new user meets first with `gwarden run`, on real gunicorn 20.1.0 and 26.2.2 inside real memory
 * cgroups: logs sent to /dev/stdout and /dev/stderr (as containers do) work; a start that cannot
 * succeed ends at the first failure with the app's error and its fix; a second SIGTERM is a quick stop
 * that does not wait for the requests in flight.
 */
import { createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { gunicornReleases } from "../helpers/gunicorns.js";
import { MiB, ownLines, startRun, until, type GwardenRun } from "./run-harness.js";

const releases = gunicornReleases().filter((r) => r.version === "20.1.0" || r.version.startsWith("26."));
const runs: GwardenRun[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const run of runs.splice(0)) await run.close();
  for (const server of servers.splice(0)) server.close();
});

describe.each(releases.map((r) => [r.version, r] as const))(
  "gwarden run on gunicorn %s",
  (_version, release) => {
    it("serves with --access-logfile /dev/stdout and --error-logfile /dev/stderr, passing both logs on", async () => {
      const run = await startRun({
        release,
        memoryBytes: 512 * MiB,
        gunicornArgs: ["--access-logfile", "/dev/stdout", "--error-logfile", "/dev/stderr"],
      });
      runs.push(run);
      await until("/healthz 200", async () => (await run.api("/healthz")).status === 200);
      expect((await run.app("/health")).status).toBe(200);
      await until("the access line on gwarden's stdout", () =>
        run.stdout().includes('"GET /health HTTP/1.1" 200'),
      );
      expect(run.stderr()).toContain("Booting worker with pid");
      expect(run.stderr()).not.toContain("restarting in");
      run.child.kill("SIGTERM");
      expect((await run.exited).code).toBe(0);
    });

    it.each([
      ["a missing module", "nosuchmodule:app", [], /no module named 'nosuchmodule'/],
      ["a missing app attribute", "app:nosuchapp", [], /no 'nosuchapp' in module 'app'/],
      [
        "an argument gunicorn does not know",
        "app:app",
        ["--no-such-flag"],
        /gunicorn rejects its command line: unrecognized arguments: --no-such-flag/,
      ],
    ] as const)(
      "ends at the first failure on %s, with the error once and its fix",
      async (_what, spec, args, reason) => {
        const run = await startRun({ release, memoryBytes: 512 * MiB, spec, gunicornArgs: [...args] });
        runs.push(run);
        const exit = await run.exited;
        expect(exit.code).not.toBe(0);
        const own = ownLines(run.stderr(), 6).join("\n");
        expect(own).toMatch(reason);
        expect(own).toContain("fix: ");
        expect(run.stderr()).not.toContain("restarting in");
      },
    );

    it("ends at the first failure when the port is taken, naming the address", async () => {
      const taken = createServer();
      servers.push(taken);
      const port = await new Promise<number>((resolve) =>
        taken.listen(0, "127.0.0.1", () => resolve((taken.address() as { port: number }).port)),
      );
      const run = await startRun({
        release,
        memoryBytes: 512 * MiB,
        gunicornArgs: ["-b", `127.0.0.1:${port}`],
      });
      runs.push(run);
      const exit = await run.exited;
      expect(exit.code).not.toBe(0);
      expect(ownLines(run.stderr(), 6).join("\n")).toMatch(
        new RegExp(`the address is in use: gunicorn could not bind .*${port}`),
      );
      expect(run.stderr()).not.toContain("restarting in");
    });

    it("runs gunicorn as another user behind a wrapper that drops root (setpriv), with its counters", async () => {
      const run = await startRun({
        release: {
          ...release,
          command: ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", ...release.command],
        },
        memoryBytes: 512 * MiB,
      });
      runs.push(run);
      await until("/healthz 200", async () => (await run.api("/healthz")).status === 200);
      for (let i = 0; i < 5; i++) expect((await run.app("/health")).status).toBe(200);
      const state = await until("the workers' request counts", async () => {
        const body = JSON.parse((await run.api("/api/state")).body) as {
          workers: { requests: number | null }[];
        };
        const served = body.workers.reduce((sum, w) => sum + (w.requests ?? 0), 0);
        return served >= 5 ? body : null;
      });
      expect(state.workers.length).toBeGreaterThan(0);
      expect(run.stderr()).not.toContain("restarting in");
    });

    it("stops quickly on a second SIGTERM, dropping the request still in flight", async () => {
      const run = await startRun({ release, memoryBytes: 512 * MiB, flags: ["--no-adaptive"] });
      runs.push(run);
      await until("/healthz 200", async () => (await run.api("/healthz")).status === 200);
      const slow = run.app("/sleep?s=60", 120_000);
      await new Promise((resolve) => setTimeout(resolve, 1500)); // the request reaches a worker
      run.child.kill("SIGTERM");
      await until("the graceful stop", () => run.stderr().includes("stopping gunicorn gracefully"));
      run.child.kill("SIGTERM");
      const exit = await run.exited;
      const answer = await slow;
      expect(answer.status).not.toBe(200);
      expect(run.stderr()).toContain("quick stop (QUIT to");
      expect(exit.code).not.toBeNull();
    });
  },
);
