/**
 * What `gwarden run` costs the app per request: the same gunicorn layout run plainly and under
 * `gwarden run --keep-args`, each inside its own memory cgroup with a CPU quota (gwarden inside it too,
 * as in a container, so its own CPU counts), loaded by wrk from outside the group with the same
 * connections.
 *
 * On this shared machine one 8 s run of either config moves ±8 % from the next, as wide as what is
 * measured, and consecutive runs a minute apart differ by more than the two configs do. So the two
 * configs run side by side and are measured in short alternating slices (paired benchmarking, as
 * tango-bench does for functions): both instances are started, each is paused (SIGSTOP to its whole
 * group) while the other is loaded, and what drifts over seconds hits both of a pair alike. Both groups
 * and wrk are pinned to different cores (`pin`), and each slice also reports the CPU time the group's
 * processes spent per request (their schedstat before and after), which counts only their own work.
 * SQLite lives on /dev/shm, so the database endpoint measures the app and not this machine's disk.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSandbox } from "../../src/adapters/sandbox/cgroup-sandbox.js";
import { schedBetween, schedByPid } from "../../src/adapters/resources/schedstat.js";
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
  /** Cores for the group and for wrk (taskset lists, e.g. "0" and "1"), or null to let them float. */
  pin: { app: string; load: string } | null;
}

export interface Trial {
  config: OverheadConfig;
  rps: number;
  errors: number;
  /** CPU milliseconds the group's processes spent per request during the measured run. */
  cpuMsPerRequest: number;
  /** CPU nanoseconds of the whole group and of gwarden's own process (0 for plain) during the slice. */
  groupCpuNs: number;
  supervisorCpuNs: number;
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

/** gwarden's own process: the group's node (gunicorn's processes are python). */
function isSupervisor(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "node";
  } catch {
    return false;
  }
}

function wrk(port: number, path: string, o: OverheadOptions, seconds: number): string {
  const argv = [
    "wrk",
    "-t",
    "1",
    "-c",
    String(o.connections),
    "-d",
    `${seconds}s`,
    `http://127.0.0.1:${port}${path}`,
  ];
  const pinned = o.pin === null ? argv : ["taskset", "-c", o.pin.load, ...argv];
  const result = spawnSync(pinned[0]!, pinned.slice(1), {
    encoding: "utf8",
    timeout: (seconds + 30) * 1000,
  });
  return `${result.stdout}${result.stderr}`;
}

/** One running instance of a config in its own group: started, answering, stoppable between slices. */
interface Instance {
  config: OverheadConfig;
  port: number;
  /** SIGSTOP / SIGCONT to every process in the group, so an idle instance costs the other nothing. */
  pause(): void;
  resume(): void;
  pids(): number[];
  /** Kinds of gwarden's decisions in its event log so far. */
  actions(): Record<string, number>;
  close(): Promise<void>;
}

function signalAll(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // gone between listing and signalling
    }
  }
}

async function startInstance(config: OverheadConfig, o: OverheadOptions): Promise<Instance> {
  const sandbox = await createSandbox({
    memoryBytes: o.memoryBytes,
    cpus: o.cpus,
    name: `overhead-${config}`,
  });
  const dir = mkdtempSync(join(tmpdir(), "gwarden-overhead-"));
  const shm = mkdtempSync(join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "gwarden-overhead-db-"));
  const cleanUp = async (): Promise<void> => {
    await sandbox.remove();
    rmSync(dir, { recursive: true, force: true });
    rmSync(shm, { recursive: true, force: true });
  };
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
    const events = join(dir, "events.jsonl");
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
            events,
            ...o.gwardenFlags,
            "--",
            ...app,
          ];
    const inGroup = sandbox.wrap(argv);
    const wrapped = o.pin === null ? inGroup : ["taskset", "-c", o.pin.app, ...inGroup];
    const child = spawn(wrapped[0]!, wrapped.slice(1), {
      cwd: dir,
      env: { ...process.env, ...o.gunicornEnv, GWARDEN_EXAMPLE_DB: join(shm, "app.sqlite") },
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
    wrk(port, o.path, o, o.warmupSeconds);
    return {
      config,
      port,
      pause: () => signalAll(sandbox.pids(), "SIGSTOP"),
      resume: () => signalAll(sandbox.pids(), "SIGCONT"),
      pids: () => sandbox.pids(),
      actions: () => actionsIn(events),
      async close() {
        signalAll(sandbox.pids(), "SIGCONT");
        child.kill("SIGTERM");
        await Promise.race([exited, sleep(30_000)]);
        await cleanUp();
      },
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

/** One slice: the instance resumed, loaded for `seconds`, paused again. */
function runSlice(instance: Instance, o: OverheadOptions): Trial {
  instance.resume();
  const before = schedByPid("", instance.pids());
  const text = wrk(instance.port, o.path, o, o.seconds);
  const after = schedByPid("", instance.pids());
  const spent = schedBetween(before, after).cpuNs;
  const supervisor = new Map([...after].filter(([pid]) => isSupervisor(pid)));
  const supervisorCpuNs = schedBetween(before, supervisor).cpuNs;
  instance.pause();
  const measured = parseWrk(text);
  const requests = Number(/(\d+) requests in/.exec(text)?.[1] ?? NaN);
  return {
    config: instance.config,
    ...measured,
    cpuMsPerRequest: spent / 1e6 / requests,
    groupCpuNs: spent,
    supervisorCpuNs,
    actions: instance.actions(),
  };
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
  /** The median of the slice pairs' gwarden ÷ plain req/s. */
  ratio: number;
  /** The lowest and highest of each pair of instances' own median ratio. */
  spread: [number, number];
  /** CPU ms per request of each slice, and the median of the pairs' plain ÷ gwarden: the bar counted in CPU. */
  plainCpuMs: number[];
  gwardenCpuMs: number[];
  cpuRatio: number;
  cpuSpread: [number, number];
  /** gwarden's own process's share of its group's CPU over every gwarden slice. */
  supervisorShare: number;
  /** What gwarden decided during its last instance (scale_up, recycle, ...). */
  actions: Record<string, number>;
  errors: number;
}

/**
 * Paired, interleaved measurement: `instances` times, a fresh plain instance and a fresh gwarden one run
 * side by side (on the same core when pinned), each paused while the other is loaded, and `slices`
 * short slices alternate between them (A B, B A, …). What drifts on a shared machine (another
 * session's burst, the host's neighbours) drifts over seconds, so it hits both of a pair alike; fresh
 * instances average out what one process's luck gives (hash seeds, memory placement). The ratio is the
 * median of the pairs' ratios; the spread is that of each pair of instances' own median.
 */
export async function measureOverhead(
  o: OverheadOptions,
  instances: number,
  slices: number,
  onSlice: (t: Trial) => void = () => undefined,
): Promise<OverheadResult> {
  const trials: Record<OverheadConfig, Trial[]> = { plain: [], gwarden: [] };
  const rpsRatios: number[] = [];
  const cpuRatios: number[] = [];
  const perInstance: { rps: number; cpu: number }[] = [];
  let errors = 0;
  for (let n = 0; n < instances; n++) {
    const first: OverheadConfig = n % 2 === 0 ? "plain" : "gwarden";
    const started: Instance[] = [];
    try {
      for (const config of [first, first === "plain" ? "gwarden" : "plain"] as const) {
        const instance = await startInstance(config, o);
        instance.pause();
        started.push(instance);
      }
      const byConfig = (c: OverheadConfig): Instance => started.find((i) => i.config === c)!;
      const pairs: { rps: number; cpu: number }[] = [];
      for (let slice = 0; slice < slices; slice++) {
        const order: OverheadConfig[] = slice % 2 === 0 ? ["plain", "gwarden"] : ["gwarden", "plain"];
        const pair = Object.fromEntries(order.map((c) => [c, runSlice(byConfig(c), o)])) as Record<
          OverheadConfig,
          Trial
        >;
        for (const c of order) {
          onSlice(pair[c]);
          errors += pair[c].errors;
          trials[c].push(pair[c]);
        }
        pairs.push({
          rps: pair.gwarden.rps / pair.plain.rps,
          cpu: pair.plain.cpuMsPerRequest / pair.gwarden.cpuMsPerRequest,
        });
      }
      rpsRatios.push(...pairs.map((p) => p.rps));
      cpuRatios.push(...pairs.map((p) => p.cpu));
      perInstance.push({ rps: median(pairs.map((p) => p.rps)), cpu: median(pairs.map((p) => p.cpu)) });
    } finally {
      for (const instance of started) await instance.close();
    }
  }
  const plain = trials.plain.map((t) => t.rps);
  const gwarden = trials.gwarden.map((t) => t.rps);
  return {
    path: o.path,
    plain,
    gwarden,
    ratio: median(rpsRatios),
    spread: extremes(perInstance.map((p) => p.rps)),
    plainCpuMs: trials.plain.map((t) => t.cpuMsPerRequest),
    gwardenCpuMs: trials.gwarden.map((t) => t.cpuMsPerRequest),
    cpuRatio: median(cpuRatios),
    cpuSpread: extremes(perInstance.map((p) => p.cpu)),
    supervisorShare:
      trials.gwarden.reduce((sum, t) => sum + t.supervisorCpuNs, 0) /
      Math.max(
        1,
        trials.gwarden.reduce((sum, t) => sum + t.groupCpuNs, 0),
      ),
    actions: trials.gwarden.at(-1)?.actions ?? {},
    errors,
  };
}

function extremes(values: readonly number[]): [number, number] {
  return [Math.min(...values), Math.max(...values)];
}
