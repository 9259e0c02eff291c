/**
 * What `gwarden run` costs the app per request: the same gunicorn layout run plainly and under
 * `gwarden run --keep-args`, each inside a fresh memory cgroup with a CPU quota (gwarden inside it too,
 * as in a container, so its own CPU counts), loaded by wrk from outside the group with the same
 * connections. Configs alternate A B A B …; each trial is a fresh instance, warmed up, then measured.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSandbox } from "../../src/adapters/sandbox/cgroup-sandbox.js";
import { freePort } from "../../src/adapters/http/free-port.js";
import { probe } from "../../src/adapters/http/http-probe.js";
import { repoRoot, sleep } from "./adaptive-scenarios.js";

export type OverheadConfig = "plain" | "gwarden";

export interface OverheadOptions {
  /** The argv prefix that starts gunicorn and the environment that selects its release. */
  gunicorn: string[];
  gunicornEnv: Record<string, string>;
  /** gunicorn's layout, the same for both configs (e.g. `-w 2 --worker-tmp-dir /dev/shm`). */
  layout: string[];
  memoryBytes: number;
  cpus: number;
  path: string;
  connections: number;
  warmupSeconds: number;
  seconds: number;
  /** gwarden's own flags besides `--keep-args`. */
  gwardenFlags: string[];
}

export interface Trial {
  config: OverheadConfig;
  rps: number;
  errors: number;
  /** What gwarden did during the trial (scale_up, recycle, ...: its event log's kinds, counted). */
  actions: Record<string, number>;
}

/** Kinds gwarden decided on (not gunicorn's own lifecycle). */
const ACTIONS = ["scale_up", "scale_down", "recycle", "boot_deadline_kill"];

function actionsIn(eventsPath: string): Record<string, number> {
  const counts: Record<string, number> = {};
  if (!existsSync(eventsPath)) return counts;
  for (const line of readFileSync(eventsPath, "utf8").split("\n")) {
    const kind = line.trim() === "" ? null : (JSON.parse(line) as { kind?: string }).kind;
    if (kind !== undefined && kind !== null && ACTIONS.includes(kind)) counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

/** req/s and socket errors from wrk's text output. */
export function parseWrk(text: string): { rps: number; errors: number } {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1] ?? NaN);
  const errors = [...text.matchAll(/(?:connect|read|write|timeout) (\d+)/g)].reduce(
    (sum, m) => sum + Number(m[1]),
    0,
  );
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0);
  return { rps, errors: errors + non2xx };
}

function wrk(port: number, path: string, connections: number, seconds: number): string {
  const result = spawnSync(
    "wrk",
    ["-t", "2", "-c", String(connections), "-d", `${seconds}s`, `http://127.0.0.1:${port}${path}`],
    {
      encoding: "utf8",
      timeout: (seconds + 30) * 1000,
    },
  );
  return `${result.stdout}${result.stderr}`;
}

/** One trial: a fresh instance of `config`, warmed up, then measured. */
export async function runTrial(config: OverheadConfig, o: OverheadOptions): Promise<Trial> {
  const sandbox = await createSandbox({
    memoryBytes: o.memoryBytes,
    cpus: o.cpus,
    name: `overhead-${config}`,
  });
  const dir = mkdtempSync(join(tmpdir(), "gwarden-overhead-"));
  try {
    const port = await freePort();
    const app = [
      ...o.gunicorn,
      ...o.layout,
      "--chdir",
      join(repoRoot, "example"),
      "-b",
      `127.0.0.1:${port}`,
      "app:app",
    ];
    const argv =
      config === "plain"
        ? app
        : [
            process.execPath,
            join(repoRoot, "dist", "cli.js"),
            "run",
            "--keep-args",
            "--listen",
            `127.0.0.1:${await freePort()}`,
            "--events",
            join(dir, "events.jsonl"),
            ...o.gwardenFlags,
            "--",
            ...app,
          ];
    const wrapped = sandbox.wrap(argv);
    const child = spawn(wrapped[0]!, wrapped.slice(1), {
      cwd: dir,
      env: { ...process.env, ...o.gunicornEnv, GWARDEN_EXAMPLE_DB: join(dir, "app.sqlite") },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (text: string) => (stderr = (stderr + text).slice(-4000)));
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const deadline = Date.now() + 60_000;
    while ((await probe("127.0.0.1", port, o.path, { timeoutMs: 2000 })).status !== 200) {
      if (Date.now() > deadline) throw new Error(`${config}: ${o.path} never answered 200\n${stderr}`);
      await sleep(200);
    }
    wrk(port, o.path, o.connections, o.warmupSeconds);
    const measured = parseWrk(wrk(port, o.path, o.connections, o.seconds));
    child.kill("SIGTERM");
    await Promise.race([exited, sleep(30_000)]);
    return { config, ...measured, actions: actionsIn(join(dir, "events.jsonl")) };
  } finally {
    await sandbox.remove();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface OverheadResult {
  path: string;
  plain: number[];
  gwarden: number[];
  /** median(gwarden) ÷ median(plain). */
  ratio: number;
  /** The lowest and highest ratio of one round's gwarden trial to its plain neighbour. */
  spread: [number, number];
  errors: number;
}

/** `rounds` rounds of plain then gwarden (alternated), the medians and their ratio. */
export async function measureOverhead(
  o: OverheadOptions,
  rounds: number,
  onTrial: (t: Trial) => void = () => undefined,
): Promise<OverheadResult> {
  const plain: number[] = [];
  const gwarden: number[] = [];
  let errors = 0;
  for (let round = 0; round < rounds; round++) {
    // A B, then B A: neither config always goes first on a machine that warms up or slows down.
    const order: OverheadConfig[] = round % 2 === 0 ? ["plain", "gwarden"] : ["gwarden", "plain"];
    for (const config of order) {
      const trial = await runTrial(config, o);
      onTrial(trial);
      errors += trial.errors;
      (config === "plain" ? plain : gwarden).push(trial.rps);
    }
  }
  const pairs = plain.map((p, i) => gwarden[i]! / p);
  return {
    path: o.path,
    plain,
    gwarden,
    ratio: median(gwarden) / median(plain),
    spread: [Math.min(...pairs), Math.max(...pairs)],
    errors,
  };
}
