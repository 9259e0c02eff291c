/**
 * What the install tests share: one installed gwarden (however it got there) driven through every verb
 * from a directory outside the checkout, with a clean environment (PATH, HOME and nothing else of
 * ours): detect, plan (summary, JSON, k8s), analyze on a captured log, doctor, lab --help, and `run` on
 * the example app with its dashboard and `monitor --once` against it.
 */
import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { freePort } from "../../src/adapters/http/free-port.js";
import { exampleDir, repoRoot } from "../helpers/gunicorns.js";
import { fetchText, until } from "./run-harness.js";

export interface InstalledGwarden {
  /** The argv that runs it (`["gwarden"]` when on PATH). */
  command: string[];
  /** The whole environment of each run. */
  env: NodeJS.ProcessEnv;
  /** Wraps every argv (a mount namespace without Node, for the single file); identity by default. */
  wrap?: (argv: string[]) => string[];
  /** The example app to run (shipped in the package, or a copy). */
  exampleDir: string;
}

export const packageVersion = (
  JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string }
).version;

/** A clean environment for npm: system PATH, a fresh HOME, and this machine's npm cache (installs into empty prefixes need not fetch again). */
export function npmEnv(home: string): NodeJS.ProcessEnv {
  const cache = spawnSync("npm", ["config", "get", "cache"], { encoding: "utf8" }).stdout.trim();
  return { PATH: "/usr/bin:/bin", HOME: home, npm_config_cache: cache, npm_config_update_notifier: "false" };
}

/** Every verb as `gwarden` from `<prefix>/bin`, in a fresh directory of `work`, with only PATH and HOME. */
export async function exerciseInstalled(
  prefix: string,
  home: string,
  exampleDir: string,
  work: string,
): Promise<void> {
  const cwd = mkdtempSync(join(work, "elsewhere-"));
  await exerciseVerbs(
    { command: ["gwarden"], env: { PATH: `${join(prefix, "bin")}:/usr/bin:/bin`, HOME: home }, exampleDir },
    cwd,
  );
}

/** A fresh directory, removed by the returned function. */
export function scratch(label: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `gwarden-install-${label}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

function argvOf(g: InstalledGwarden, args: string[]): string[] {
  const argv = [...g.command, ...args];
  return g.wrap ? g.wrap(argv) : argv;
}

/** Runs one verb to its end. */
export function gwarden(
  g: InstalledGwarden,
  args: string[],
  cwd: string,
): { code: number | null; stdout: string; stderr: string } {
  const [command, ...rest] = argvOf(g, args);
  const r = spawnSync(command!, rest, { cwd, env: g.env, encoding: "utf8", timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function ok(g: InstalledGwarden, args: string[], cwd: string): string {
  const r = gwarden(g, args, cwd);
  expect(r.code, `gwarden ${args.join(" ")}\n${r.stderr}`).toBe(0);
  return r.stdout;
}

/** Every verb, from `cwd` (a directory outside the checkout). */
export async function exerciseVerbs(g: InstalledGwarden, cwd: string): Promise<void> {
  expect(ok(g, ["--version"], cwd).trim()).toBe(packageVersion);

  const detected = JSON.parse(ok(g, ["detect", "--json"], cwd)) as {
    cgroup: { version: string };
    memory: Record<string, unknown>;
  };
  expect(["v1", "v2", "hybrid", "none"]).toContain(detected.cgroup.version);
  expect(detected.memory).toHaveProperty("limitBytes");

  expect(ok(g, ["plan", "--memory", "512M", "--cpus", "1"], cwd)).toMatch(/workers\s+\d+/);
  const plan = JSON.parse(ok(g, ["plan", "--memory", "512M", "--cpus", "1", "--json"], cwd)) as {
    workers: number;
  };
  expect(plan.workers).toBeGreaterThanOrEqual(1);
  expect(ok(g, ["plan", "--memory", "512M", "--cpus", "1", "--format", "k8s"], cwd)).toContain(
    'memory: "512Mi"',
  );

  cpSync(join(repoRoot, "test", "fixtures", "logs", "20.1.0", "app-load-error.log"), join(cwd, "app.log"));
  const analysis = JSON.parse(ok(g, ["analyze", "app.log", "--json"], cwd)) as {
    findings: { code: string }[];
  };
  expect(analysis.findings.map((f) => f.code)).toContain("app-load-error");

  const doctor = JSON.parse(ok(g, ["doctor", "--json"], cwd)) as Record<string, unknown>;
  expect(JSON.stringify(doctor)).toContain("20.1.0");
  expect(ok(g, ["lab", "--help"], cwd)).toContain("gwarden lab");

  await runExample(g, cwd);
}

/** `gwarden run` on the example app: healthy, dashboard served, `monitor --once` sees it, SIGTERM ends it with 0. */
async function runExample(g: InstalledGwarden, cwd: string): Promise<void> {
  const apiPort = await freePort();
  const appPort = await freePort();
  const args = [
    "run",
    "--listen",
    `127.0.0.1:${apiPort}`,
    "--events",
    "",
    "--",
    "gunicorn",
    "--chdir",
    g.exampleDir,
    "-b",
    `127.0.0.1:${appPort}`,
    "app:app",
  ];
  const [command, ...rest] = argvOf(g, args);
  const child = spawn(command!, rest, {
    cwd,
    env: { ...g.env, GWARDEN_EXAMPLE_DB: join(cwd, "app.sqlite") },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (t: string) => (stderr += t));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  try {
    await until(
      "gwarden run's /healthz",
      async () => (await fetchText(apiPort, "/healthz")).status === 200,
      60_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${stderr}`);
    });
    expect((await fetchText(appPort, "/")).status).toBe(200);
    expect((await fetchText(apiPort, "/")).body).toContain("<html");
    expect((await fetchText(apiPort, "/assets/uPlot.iife.min.js")).body.length).toBeGreaterThan(40_000);
    expect(ok(g, ["monitor", "--once", "--url", `http://127.0.0.1:${apiPort}`], cwd)).toMatch(/HEALTHY/);
    child.kill("SIGTERM");
    expect(await exited, stderr).toBe(0);
  } finally {
    child.kill("SIGKILL");
  }
}

/** The example app copied out of the checkout (for ways that must not read the checkout). */
export function copyExample(into: string): string {
  const target = join(into, "example");
  cpSync(exampleDir, target, {
    recursive: true,
    filter: (src) => !src.includes("__pycache__") && !src.endsWith(".sqlite"),
  });
  return target;
}
