/**
 * `gwarden profile` against the real example app under real gunicorn releases: plausible figures,
 * clear failures (import error, failing URL, hang, missing gunicorn), preload judged unsafe for an
 * import-time PostgreSQL connection, and never a gunicorn process left behind.
 */
import { getRequest } from "../../src/core/profile/request-spec.js";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, chownSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startGunicorn } from "../../src/adapters/run/gunicorn-process.js";
import { runProfileMode } from "../../src/adapters/profile/profile-runs.js";
import { parseGunicornArgv } from "../../src/core/profile/app-identity.js";
import { PROFILE_RUNS } from "../../src/core/profile/build-profile.js";
import type { Profile } from "../../src/core/profile/types.js";
import { gunicornReleases, repoRoot } from "../helpers/gunicorns.js";

const cli = join(repoRoot, "dist/cli.js");
const MiB = 1024 * 1024;
const scratch = mkdtempSync(join(tmpdir(), "gwarden-profile-test-"));
/** Every gunicorn these tests start inherits this marker (via the SQLite path), so leftovers can be found. */
const marker = join(scratch, "app.sqlite");

interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

function gwarden(args: string[], env: Record<string, string> = {}): CliResult {
  const result = spawnSync("node", [cli, ...args], {
    cwd: repoRoot,
    env: { ...process.env, GWARDEN_EXAMPLE_DB: marker, ...env },
    encoding: "utf8",
    timeout: 180_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Pids of live processes whose environment carries this file's marker. */
function leftovers(): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, "latin1").includes(marker)) found.push(Number(entry));
    } catch {
      // Gone already, or not ours to read.
    }
  }
  return found;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

beforeAll(() => {
  spawnSync("npx", ["tsc", "-p", "tsconfig.build.json", "--noEmitOnError", "false"], {
    cwd: repoRoot,
    stdio: "ignore",
  });
});

afterEach(() => {
  expect(leftovers()).toEqual([]);
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

const releases = gunicornReleases().filter((r) => r.version === "20.1.0" || r.version.startsWith("26."));

describe.each(releases)("gwarden profile on gunicorn $version", (release) => {
  it("measures the example app: import time, worker memory, preload safe on SQLite", () => {
    // 20.1.0 through `gunicorn` on PATH (Debian's script), the others through python -m gunicorn.
    const launcher = release.version === "20.1.0" ? ["gunicorn"] : release.command;
    const out = join(scratch, `profile-${release.version}.json`);
    const result = gwarden(
      [
        "profile",
        "--url",
        "/health",
        "--url",
        "/db",
        "--json",
        "--out",
        out,
        "--",
        ...launcher,
        "--chdir",
        "example",
        "app:app",
      ],
      release.env,
    );
    expect(result.stderr).not.toMatch(/gwarden: /);
    expect(result.status).toBe(0);
    const profile = JSON.parse(result.stdout) as Profile;
    expect(JSON.parse(readFileSync(out, "utf8"))).toEqual(profile);
    expect(profile.gunicorn.version).toBe(release.version);
    expect(profile.gunicorn.workerClass).toBe("sync");
    expect(profile.gunicorn.python).toMatch(/^python3/);
    expect(profile.app.spec).toBe("app:app");
    expect(profile.app.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(profile.importSeconds).toBeGreaterThan(0);
    expect(profile.importSeconds).toBeLessThan(30);
    expect(profile.worker.uss).toBeGreaterThan(10 * MiB);
    expect(profile.worker.rss).toBeGreaterThanOrEqual(profile.worker.pss);
    expect(profile.worker.pss).toBeGreaterThanOrEqual(profile.worker.uss);
    expect(profile.master.rss).toBeGreaterThan(5 * MiB);
    expect(profile.preload.safe).toBe(true);
    expect(profile.preload.masterImportSeconds).toBeGreaterThan(0);
    // With preload the master holds the app, and each worker's private part is far below a full copy.
    expect(profile.preload.master!.rss).toBeGreaterThan(profile.master.rss);
    expect(profile.preload.workerPrivateBytes!).toBeLessThan(profile.worker.uss);
    expect(profile.runs.map((r) => [r.mode, r.workers, r.ok])).toEqual([
      ["single", 1, true],
      ["preload", 1, true],
      ["preload-shared", 3, true],
    ]);
    expect(profile.runs[2]!.workerMemory).toHaveLength(3);
    // Schema 2: each request timed against the worker's CPU, and one preloaded worker retired.
    expect(profile.schema).toBe(2);
    expect(profile.cpu!.single.map((t) => t.request)).toEqual(["/health", "/db"]);
    for (const t of profile.cpu!.single) expect(t.cpuMs).toBeGreaterThan(0);
    expect(profile.cpu!.share).toBeGreaterThan(0);
    expect(profile.cpu!.share).toBeLessThanOrEqual(1);
    expect(profile.cpu!.concurrent?.workers).toBe(3);
    // As root the spike is read from a memory cgroup of its own; the peak is never below the steady figure.
    expect(profile.preload.exitSpike?.method).toBe(process.getuid?.() === 0 ? "cgroup" : "pss");
    expect(profile.preload.exitSpike!.peakBytes).toBeGreaterThanOrEqual(
      profile.preload.exitSpike!.beforeBytes,
    );
    expect(profile.runs[0]!.urls.map((u) => [u.path, u.status])).toEqual([
      ["/health", 200],
      ["/db", 200],
    ]);
  });
});

describe("gwarden profile failures", () => {
  it("stops with the app's own error when the app does not import", () => {
    const result = gwarden(
      ["profile", "--out", join(scratch, "fail.json"), "--", "gunicorn", "--chdir", "example", "app:app"],
      {
        EXAMPLE_FAULTS: "1",
        IMPORT_FAIL: "1",
      },
    );
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("The app did not import");
    expect(result.stderr).toContain("RuntimeError: example app: IMPORT_FAIL=1 asked the import to fail");
    expect(existsSync(join(scratch, "fail.json"))).toBe(false);
  });

  it("names the URL and its status when a warm-up URL fails (E_APP_URL)", () => {
    const result = gwarden([
      "profile",
      "--url",
      "/health",
      "--url",
      "/missing",
      "--out",
      join(scratch, "url.json"),
      "--",
      "gunicorn",
      "--chdir",
      "example",
      "app:app",
    ]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("gwarden: GET /missing answered 404 (1 worker): 404 Not Found");
  });

  it("returns E_APP_URL from the run itself, with the URL's status", async () => {
    const outcome = await runProfileMode(PROFILE_RUNS[0]!, {
      command: parseGunicornArgv(["gunicorn", "--chdir", "example", "app:app"]),
      userConfig: null,
      requests: [getRequest("/missing")],
      cwd: repoRoot,
      env: { GWARDEN_EXAMPLE_DB: marker },
      bootTimeoutMs: 60_000,
      rounds: 1,
    });
    expect(outcome.failure?.code).toBe("E_APP_URL");
    expect(outcome.result.urls).toEqual([
      { path: "/missing", status: 404, ok: false, ms: expect.any(Number), error: "404 Not Found" },
    ]);
    expect(outcome.version).toBe(releases[0]?.version ?? "20.1.0");
  });

  it("gives up on an import that hangs at the boot deadline, and kills the stuck worker", () => {
    const started = Date.now();
    const result = gwarden(
      ["profile", "--boot-timeout", "3", "--", "gunicorn", "--chdir", "example", "app:app"],
      { EXAMPLE_FAULTS: "1", IMPORT_HANG: "1" },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("gunicorn was not ready within 3 s");
    expect(result.stderr).toContain("Booting worker with pid");
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it("says gunicorn is missing when the launcher cannot run it", () => {
    const missing = gwarden(["profile", "--", "/usr/bin/python3", "-m", "no_such_gunicorn", "app:app"]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("gwarden: No gunicorn at `/usr/bin/python3 -m no_such_gunicorn`");
    const absent = gwarden(["profile", "--", "/nonexistent/gunicorn", "app:app"]);
    expect(absent.stderr).toContain("gwarden: No gunicorn at `/nonexistent/gunicorn`");
  });

  it("stops gunicorn on Ctrl-C, then dies by SIGINT as a shell expects", async () => {
    const child = spawn("node", [cli, "profile", "--", "gunicorn", "--chdir", "example", "app:app"], {
      cwd: repoRoot,
      env: { ...process.env, GWARDEN_EXAMPLE_DB: marker, EXAMPLE_FAULTS: "1", IMPORT_DELAY: "60" },
      stdio: "ignore",
    });
    const exited = new Promise<string>((resolve) =>
      child.once("exit", (code, signal) => resolve(`${code} ${signal}`)),
    );
    for (let i = 0; i < 100 && leftovers().filter((pid) => pid !== child.pid).length < 2; i++)
      await sleep(100);
    expect(leftovers().filter((pid) => pid !== child.pid).length).toBeGreaterThanOrEqual(2); // master + worker importing
    child.kill("SIGINT");
    expect(await exited).toBe("null SIGINT");
  });
});

/**
 * A private PostgreSQL server in a temp dir (initdb as the postgres user), or null when PostgreSQL is
 * not installed. Installed but failing to start is an error with the server's log, not a skip.
 */
function startPostgres(): { url: string; stop: () => void } | null {
  const bin = existsSync("/usr/lib/postgresql")
    ? readdirSync("/usr/lib/postgresql")
        .sort()
        .reverse()
        .map((v) => `/usr/lib/postgresql/${v}/bin`)
        .find((b) => existsSync(`${b}/initdb`))
    : undefined;
  const postgres = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
  if (bin === undefined || postgres.status !== 0 || process.getuid?.() !== 0) return null;
  const dir = mkdtempSync(join(tmpdir(), "gwarden-pg-"));
  chownSync(dir, Number(postgres.stdout.trim()), -1);
  const asPostgres = (args: string[]): string | null => {
    const r = spawnSync("runuser", ["-u", "postgres", "--", ...args], { encoding: "utf8", timeout: 120_000 });
    return r.status === 0
      ? null
      : `${args[0]} ${args.at(-1)}: ${r.status ?? r.signal} ${r.error ?? ""} ${r.stderr}`;
  };
  const stop = (): void => {
    asPostgres([`${bin}/pg_ctl`, "-D", `${dir}/data`, "-m", "immediate", "-w", "stop"]);
    rmSync(dir, { recursive: true, force: true });
  };
  const initdb = asPostgres([`${bin}/initdb`, "-D", `${dir}/data`, "--auth=trust", "-U", "postgres"]);
  const failures = initdb === null ? [] : [initdb];
  // A random port can be taken: two tries.
  const ports = [20_000 + Math.floor(Math.random() * 10_000), 30_000 + Math.floor(Math.random() * 2_000)];
  for (const port of initdb === null ? ports : []) {
    const started = asPostgres([
      `${bin}/pg_ctl`,
      "-D",
      `${dir}/data`,
      "-l",
      `${dir}/log`,
      "-w",
      "-o",
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`,
      "start",
    ]);
    if (started === null) return { url: `postgresql://postgres@127.0.0.1:${port}/postgres`, stop };
    failures.push(started);
  }
  const log = existsSync(`${dir}/log`) ? readFileSync(`${dir}/log`, "utf8").slice(-2000) : "(no log)";
  stop();
  throw new Error(`PostgreSQL is installed but did not start: ${failures.join("; ")}\n${log}`);
}

describe("gwarden profile with PostgreSQL", () => {
  let pg: ReturnType<typeof startPostgres> = null;
  beforeAll(() => {
    pg = startPostgres();
  });
  afterAll(() => pg?.stop());

  it("judges preload unsafe when the app opens its DB connection at import (SimpleLogin's app/db.py)", (context) => {
    if (pg === null) return context.skip();
    const profile = (env: Record<string, string>): Profile => {
      const result = gwarden(
        [
          "profile",
          "--url",
          "/db",
          "--json",
          "--out",
          join(scratch, "pg.json"),
          "--",
          "gunicorn",
          "--chdir",
          "example",
          "app:app",
        ],
        {
          DATABASE_URL: pg!.url,
          ...env,
        },
      );
      expect(result.status, result.stderr).toBe(0);
      return JSON.parse(result.stdout) as Profile;
    };
    const unsafe = profile({ CONNECT_AT_IMPORT: "1" });
    expect(unsafe.preload.safe).toBe(false);
    expect(unsafe.preload.reason).toContain("requests failed with --preload and 3 workers: /db");
    // The same app without the import-time connection is fine under preload.
    expect(profile({}).preload.safe).toBe(true);
  });
});

/** A stand-in gunicorn: ignores TERM, forks a "worker" that ignores TERM too, reports both on fd 3. */
const STUBBORN = `
import json, os, signal, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
fd = int(os.environ["GWARDEN_EVENT_FD"])
def emit(hook, **kw):
    os.write(fd, (json.dumps(dict(hook=hook, pid=os.getpid(), ppid=os.getppid(), time=time.time(), **kw)) + "\\n").encode())
emit("on_starting", version="0.0-stub")
emit("when_ready", workerClass="sync")
if os.fork() == 0:
    emit("post_fork", worker=os.getpid())
    emit("post_worker_init")
print("stub up", file=sys.stderr, flush=True)
while True:
    time.sleep(60)
`;

describe("startGunicorn", () => {
  const alive = (pid: number): boolean =>
    existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"));

  it("reads readiness from fd 3, and KILLs the whole group when the master ignores TERM", async () => {
    const gunicorn = await startGunicorn({
      launcher: ["/usr/bin/python3", "-c", STUBBORN],
      args: [],
      conf: "# unused\n",
      env: { GWARDEN_EXAMPLE_DB: marker },
    });
    await gunicorn.waitUntil((records) => records.some((r) => r.hook === "post_worker_init"), 10_000);
    const worker = gunicorn.records.find((r) => r.hook === "post_worker_init")!.pid;
    expect(gunicorn.records.find((r) => r.hook === "on_starting")?.version).toBe("0.0-stub");
    expect(alive(worker)).toBe(true);
    const started = Date.now();
    const exit = await gunicorn.stop(500);
    expect(exit.signal).toBe("SIGKILL");
    expect(Date.now() - started).toBeLessThan(5_000);
    await sleep(200);
    expect(alive(gunicorn.pid)).toBe(false);
    expect(alive(worker)).toBe(false);
    expect(gunicorn.stderrTail()).toContain("stub up");
  });

  it("rejects with E_BOOT and the output when gunicorn exits before it is ready", async () => {
    const gunicorn = await startGunicorn({
      launcher: [
        "/usr/bin/python3",
        "-c",
        "import sys; print('Connection in use', file=sys.stderr); sys.exit(1)",
      ],
      args: [],
      conf: "\n",
    });
    await expect(gunicorn.waitUntil(() => false, 10_000)).rejects.toMatchObject({
      code: "E_BOOT",
      message: expect.stringContaining("Connection in use"),
    });
    expect(await gunicorn.stop()).toEqual({ code: 1, signal: null });
  });
});
