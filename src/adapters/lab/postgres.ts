/**
 * A private PostgreSQL per lab instance (`lab --db-on-box`): initdb once per lab run (the template), then
 * for each instance a copy of that cluster served by a `postgres` started inside the instance's sandbox,
 * so the database's memory counts against the tier as it would on a real small box. The server runs as
 * the postgres user through `setpriv`, which execs (runuser forks and stays the parent), so the pid we
 * spawn is the postmaster itself and our signals reach it. Data dirs and servers are removed by stop() /
 * remove(), and on Node's exit if those never ran.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GwardenError } from "../../core/error.js";
import { freePort } from "../http/free-port.js";

export interface PostgresTemplate {
  /** The bin dir of the PostgreSQL release used (`/usr/lib/postgresql/15/bin`). */
  readonly bin: string;
  /** The initialised data dir every instance copies. */
  readonly dir: string;
  remove(): void;
}
export interface PostgresSettings {
  sharedBuffersBytes: number;
  workMemBytes: number;
  maintenanceWorkMemBytes: number;
  effectiveCacheSizeBytes: number;
  maxConnections: number;
}
export interface OnBoxPostgres {
  /** `postgresql://postgres@127.0.0.1:<port>/postgres` (trust auth: psycopg2 and SQLAlchemy take it as is). */
  readonly url: string;
  /** The postmaster's pid. */
  readonly pid: number;
  /** Fast shutdown (SIGINT), SIGKILL after 10 s, then removes the data dir. Idempotent. */
  stop(): Promise<void>;
}

const READY = "database system is ready to accept connections";
const START_MS = 60_000;
const STOP_MS = 10_000;
const TAIL_BYTES = 8 * 1024;
/** The server's environment: no PG* variables or locale of ours leak in; messages stay in English (READY). */
const ENV = { PATH: "/usr/bin:/bin", LC_ALL: "C" };
const AS_POSTGRES = ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"];
const HINT = "apt-get install -y postgresql, and run gwarden as root";

/** Dirs to remove and postmasters to kill if Node exits first (the hook is installed on first use). */
const leftovers = { dirs: new Set<string>(), pids: new Set<number>(), hooked: false };

function cleanUpOnExit(): void {
  if (leftovers.hooked) return;
  leftovers.hooked = true;
  process.on("exit", () => {
    for (const pid of leftovers.pids) signal(pid, "SIGKILL");
    for (const dir of leftovers.dirs) rmSync(dir, { recursive: true, force: true });
  });
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // ESRCH: already gone.
  }
}

/** The newest /usr/lib/postgresql/<version>/bin with initdb and postgres, or null. */
function findBin(root = "/usr/lib/postgresql"): string | null {
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  return (
    versions
      .map((v) => join(root, v, "bin"))
      .find((bin) => existsSync(join(bin, "initdb")) && existsSync(join(bin, "postgres"))) ?? null
  );
}

function postgresUid(): number | null {
  const id = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
  return id.status === 0 ? Number(id.stdout.trim()) : null;
}

/** A fresh temp dir owned by the postgres user (mode 0700, as postgres demands of a data dir). */
function postgresDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanUpOnExit();
  leftovers.dirs.add(dir);
  chownSync(dir, postgresUid() ?? 0, -1);
  return dir;
}

function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  leftovers.dirs.delete(dir);
}

export function preparePostgresTemplate(): PostgresTemplate {
  const bin = findBin();
  if (bin === null)
    throw new GwardenError("E_USAGE", "--db-on-box needs PostgreSQL: no /usr/lib/postgresql/*/bin/initdb", {
      hint: HINT,
    });
  if (process.getuid?.() !== 0 || postgresUid() === null) {
    throw new GwardenError(
      "E_USAGE",
      "--db-on-box runs PostgreSQL as the postgres user: it needs root and that user",
      { hint: HINT },
    );
  }
  const dir = postgresDir("gwarden-pg-template-");
  // --no-locale: the C locale, so the messages we wait for are in English whatever the box's locale.
  const initdb = [
    ...AS_POSTGRES,
    join(bin, "initdb"),
    "-D",
    dir,
    "--auth=trust",
    "-U",
    "postgres",
    "--encoding=UTF8",
    "--no-locale",
  ];
  const result = spawnSync(initdb[0]!, initdb.slice(1), {
    cwd: dir,
    env: ENV,
    encoding: "utf8",
    timeout: START_MS,
  });
  if (result.status !== 0) {
    removeDir(dir);
    const why = (result.error?.message ?? result.stderr).trim().split("\n").slice(-5).join("\n");
    throw new GwardenError("E_IO", `initdb failed (${bin}):\n${why}`, { hint: HINT, cause: result.error });
  }
  return { bin, dir, remove: () => removeDir(dir) };
}

/** `-c` flags: the given settings in kB (postgres rounds to its own units), or none for PostgreSQL's defaults. */
function settingFlags(settings: PostgresSettings | null): string[] {
  if (settings === null) return [];
  const kB = (bytes: number) => `${Math.floor(bytes / 1024)}kB`;
  const pairs = [
    `shared_buffers=${kB(settings.sharedBuffersBytes)}`,
    `work_mem=${kB(settings.workMemBytes)}`,
    `maintenance_work_mem=${kB(settings.maintenanceWorkMemBytes)}`,
    `effective_cache_size=${kB(settings.effectiveCacheSizeBytes)}`,
    `max_connections=${settings.maxConnections}`,
    "autovacuum_max_workers=1",
  ];
  return pairs.flatMap((pair) => ["-c", pair]);
}

/** Resolves true once the log says the server is ready, false if it exits or the deadline passes first. */
function readiness(child: ChildProcess, log: () => string): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), START_MS);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      resolve(ok);
    };
    child.stderr?.on("data", () => log().includes(READY) && done(true));
    child.once("exit", () => done(false)).once("error", () => done(false));
  });
}

export interface OnBoxOptions {
  template: PostgresTemplate;
  /** The sandbox's wrap(): an argv that enters the cgroup, then execs ours. */
  wrap: (argv: readonly string[]) => string[];
  /** Sized settings, or null for PostgreSQL's defaults (what a default install runs). */
  settings: PostgresSettings | null;
  /** Names the instance in the temp dir and in errors. */
  label: string;
}

/** Starts the server in the sandbox on a free loopback port; rejects with E_BOOT and the log's last lines if it is not ready within 60 s. */
export async function startOnBoxPostgres(options: OnBoxOptions): Promise<OnBoxPostgres> {
  const dir = postgresDir(`gwarden-pg-${options.label.replace(/[^A-Za-z0-9-]/g, "-").slice(0, 40)}-`);
  const data = join(dir, "data");
  // As root, cp -a keeps the postgres owner and the 0700 mode.
  const copy = spawnSync("cp", ["-a", options.template.dir, data], { encoding: "utf8" });
  if (copy.status !== 0) {
    removeDir(dir);
    throw new GwardenError("E_IO", `Cannot copy the PostgreSQL template to ${data}: ${copy.stderr.trim()}`);
  }
  // A port taken between freePort() and the bind makes postgres exit: try again with another one.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const server = [
      join(options.template.bin, "postgres"),
      "-D",
      data,
      "-p",
      String(port),
      "-k",
      dir,
      "-c",
      "listen_addresses=127.0.0.1",
      ...settingFlags(options.settings),
    ];
    const argv = options.wrap([...AS_POSTGRES, ...server]);
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: dir,
      env: ENV,
      stdio: ["ignore", "ignore", "pipe"],
      detached: true,
    });
    // "error" too: a spawn that fails emits no "exit".
    const exited = new Promise<void>((resolve) =>
      child.once("exit", () => resolve()).once("error", () => resolve()),
    );
    let tail = "";
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (text: string) => (tail = (tail + text).slice(-TAIL_BYTES)));
    if (child.pid !== undefined) leftovers.pids.add(child.pid);
    const started = Date.now();
    if (await readiness(child, () => tail)) return handle(child.pid!, port, dir, exited);
    signal(child.pid ?? 0, "SIGKILL");
    await exited;
    leftovers.pids.delete(child.pid ?? 0);
    if (attempt < 3 && /could not bind|Address already in use/.test(tail)) continue;
    removeDir(dir);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const last = tail.trim().split("\n").slice(-10).join("\n");
    const exit = child.exitCode ?? child.signalCode;
    throw new GwardenError(
      "E_BOOT",
      `PostgreSQL for ${options.label} was not ready after ${seconds} s (exit ${exit}):\n${last}`,
      {
        hint: "the lines above are PostgreSQL's log: a setting it refuses, or too little memory for shared_buffers",
      },
    );
  }
}

/** True if `promise` settles within `ms` (the timer does not outlive it). */
function within(promise: Promise<void>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    void promise.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function handle(pid: number, port: number, dir: string, exited: Promise<void>): OnBoxPostgres {
  let stopping: Promise<void> | null = null;
  const stop = async (): Promise<void> => {
    signal(pid, "SIGINT");
    if (!(await within(exited, STOP_MS))) {
      signal(pid, "SIGKILL");
      await exited;
    }
    leftovers.pids.delete(pid);
    removeDir(dir);
  };
  return { url: `postgresql://postgres@127.0.0.1:${port}/postgres`, pid, stop: () => (stopping ??= stop()) };
}
