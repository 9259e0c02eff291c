/**
 * `lab --db-on-box`'s PostgreSQL against the real thing: a real initdb, a real sandbox, a real server
 * answering psycopg2. The postmaster must be the process we signal, live inside the sandbox's memory
 * group (its memory counts against the tier), run as the postgres user, take the given settings, and
 * leave no process or directory behind — also when it fails to start.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSandbox, type Sandbox } from "../../src/adapters/sandbox/cgroup-sandbox.js";
import {
  preparePostgresTemplate,
  startOnBoxPostgres,
  type OnBoxPostgres,
  type PostgresSettings,
  type PostgresTemplate,
} from "../../src/adapters/lab/postgres.js";
import { systemPython } from "../helpers/gunicorns.js";

const MiB = 1024 * 1024;
const hasInitdb =
  existsSync("/usr/lib/postgresql") &&
  readdirSync("/usr/lib/postgresql").some((v) => existsSync(`/usr/lib/postgresql/${v}/bin/initdb`));
const small: PostgresSettings = {
  sharedBuffersBytes: 16 * MiB,
  workMemBytes: 1 * MiB,
  maintenanceWorkMemBytes: 8 * MiB,
  effectiveCacheSizeBytes: 64 * MiB,
  maxConnections: 20,
};

/** A live process (not a zombie) with this pid. */
const alive = (pid: number): boolean =>
  existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"));
const statusField = (pid: number, field: string): string =>
  new RegExp(`^${field}:\\s+(.*)$`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? "";
/** The directory the instance lives in (parent of its -D data dir), read from the postmaster's argv. */
const instanceDir = (pid: number): string => {
  const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
  return dirname(argv[argv.indexOf("-D") + 1]!);
};

/** Runs one query through psycopg2 (Debian's python3: the pyenv on PATH has no psycopg2). */
function query(url: string, sql: string): string {
  const program =
    "import sys, psycopg2; c = psycopg2.connect(sys.argv[1]); cur = c.cursor(); cur.execute(sys.argv[2]); print(cur.fetchone()[0])";
  const result = spawnSync(systemPython, ["-c", program, url, sql], { encoding: "utf8", timeout: 30_000 });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.trim();
}

describe.skipIf(!hasInitdb || process.getuid?.() !== 0)("on-box PostgreSQL in a cgroup sandbox", () => {
  let template: PostgresTemplate;
  let sandbox: Sandbox;
  let pg: OnBoxPostgres;
  let usageBefore: number;
  let startSeconds: number;
  let initdbSeconds: number;

  beforeAll(async () => {
    const initdbStarted = performance.now();
    template = preparePostgresTemplate();
    initdbSeconds = (performance.now() - initdbStarted) / 1000;
    sandbox = await createSandbox({ memoryBytes: 256 * MiB, name: "lab-pg" });
    usageBefore = sandbox.usageBytes() ?? 0;
    const started = performance.now();
    pg = await startOnBoxPostgres({ template, wrap: sandbox.wrap, settings: small, label: "test" });
    startSeconds = (performance.now() - started) / 1000;
  });

  afterAll(async () => {
    await pg?.stop();
    await sandbox?.remove();
    const dir = template?.dir;
    template?.remove();
    if (dir !== undefined) expect(existsSync(dir)).toBe(false);
  });

  it("starts the postmaster itself, as the postgres user, inside the sandbox's memory group", () => {
    console.log(
      `initdb ${initdbSeconds.toFixed(2)} s; on-box PostgreSQL ready in ${startSeconds.toFixed(2)} s, pid ${pg.pid}, ${pg.url}`,
    );
    const procs = readFileSync(`${sandbox.memoryDir}/cgroup.procs`, "utf8")
      .split("\n")
      .filter(Boolean)
      .map(Number);
    expect(procs).toContain(pg.pid);
    expect(readFileSync(`/proc/${pg.pid}/comm`, "utf8").trim()).toBe("postgres");
    // Our direct child: no runuser/sh left in between to swallow signals.
    expect(Number(statusField(pg.pid, "PPid"))).toBe(process.pid);
    const postgresUid = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" }).stdout.trim();
    expect(statusField(pg.pid, "Uid").split(/\s+/)).toEqual([
      postgresUid,
      postgresUid,
      postgresUid,
      postgresUid,
    ]);
    expect(pg.url).toMatch(/^postgresql:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
  });

  it("answers psycopg2 with the given settings", () => {
    expect(query(pg.url, "show shared_buffers")).toBe("16MB");
    expect(query(pg.url, "show max_connections")).toBe("20");
    expect(query(pg.url, "show autovacuum_max_workers")).toBe("1");
    expect(query(pg.url, "show fsync")).toBe("on");
  });

  it("charges PostgreSQL's memory to the sandbox", () => {
    const usage = sandbox.usageBytes();
    console.log(
      `sandbox usage ${((usage ?? 0) / MiB).toFixed(1)} MiB (before start ${(usageBefore / MiB).toFixed(1)} MiB)`,
    );
    expect(usage).toBeGreaterThan(usageBefore + 1 * MiB);
    // Everything in the group is postgres: the postmaster and its children (checkpointer, walwriter, ...).
    const pids = sandbox.pids();
    expect(pids.length).toBeGreaterThan(1);
    for (const pid of pids) expect(readFileSync(`/proc/${pid}/comm`, "utf8")).toMatch(/^postgres/);
  });

  it("runs PostgreSQL's defaults when no settings are given", async () => {
    const plain = await startOnBoxPostgres({
      template,
      wrap: sandbox.wrap,
      settings: null,
      label: "defaults",
    });
    try {
      expect(query(plain.url, "show shared_buffers")).toBe("128MB");
      expect(query(plain.url, "show max_connections")).toBe("100");
    } finally {
      await plain.stop();
    }
    expect(alive(plain.pid)).toBe(false);
  });

  it("fails with the server's log and leaves nothing behind when PostgreSQL refuses to start", async () => {
    const before = sandbox.pids().length;
    const failure = startOnBoxPostgres({
      template,
      wrap: sandbox.wrap,
      settings: { ...small, maxConnections: 0 },
      label: "bad",
    });
    await expect(failure).rejects.toMatchObject({
      code: "E_BOOT",
      message: expect.stringMatching(/max_connections/) as unknown,
    });
    expect(readdirSync(dirname(template.dir)).filter((name) => name.startsWith("gwarden-pg-bad-"))).toEqual(
      [],
    );
    expect(sandbox.pids().length).toBe(before);
  });

  it("stops: the postmaster is gone and its data dir removed; stop() again is a no-op", async () => {
    const dir = instanceDir(pg.pid);
    expect(existsSync(`${dir}/data/PG_VERSION`)).toBe(true);
    await pg.stop();
    expect(alive(pg.pid)).toBe(false);
    expect(existsSync(dir)).toBe(false);
    await pg.stop();
    expect(sandbox.pids()).toEqual([]);
  });
});
