/**
 * The sampler: every `intervalMs` (1 s) reads what the live views need and nothing more. Per process
 * (master, each worker = child of the master, and the supervisor itself) `/proc/<pid>/stat` gives CPU,
 * state and a fresh RSS for ~0.03 ms; `smaps_rollup` (PSS, USS, swap, anon) walks page tables for
 * ~0.7 ms, so it is refreshed every `memoryIntervalMs` (5 s), spread over the ticks. The accept backlog
 * comes from /proc/net/tcp{,6}, read only in the families where the listeners were found and only up
 * to them. Each worker's shared-memory counters (requests, in flight) come with it when given a reader.
 * Cgroup figures come from `detectResources()` (injectable). Timers are unref'd.
 */
import { performance } from "node:perf_hooks";
import { parseChildren } from "../../core/proc/children.js";
import { cpuPercent, cpuSeconds, CLOCK_TICKS_PER_SECOND } from "../../core/proc/cpu-percent.js";
import type { ListenBacklog } from "../../core/proc/net-tcp.js";
import { parseProcStat, type ProcStat } from "../../core/proc/proc-stat.js";
import { parseProcStatus } from "../../core/proc/proc-status.js";
import { memoryFromSmapsRollup } from "../../core/proc/process-memory.js";
import { unknownProcess, type ProcessSample, type Sample } from "../../core/sample/sample.js";
import type { WorkerStats } from "../../core/sample/worker-stats.js";
import { procTextReader, readListenBacklog, type ProcTextReader } from "../resources/proc-reader.js";
import { detectResources } from "../resources/resources.js";
import {
  cgroupFigures,
  UNKNOWN_MEMORY,
  type BacklogFigures,
  type CgroupFigures,
  type MemoryFigures,
} from "../../core/sample/figures.js";

export type NetTcpFile = "net/tcp" | "net/tcp6";

export interface SamplerOptions {
  masterPid: number;
  /** TCP ports gunicorn listens on (the backlog is summed over their LISTEN sockets). */
  ports?: readonly number[];
  intervalMs?: number;
  /** How old PSS/USS/swap may get before smaps_rollup is read again (default 5000; ≤ intervalMs = every tick). */
  memoryIntervalMs?: number | (() => number);
  /** Where procfs is mounted (a fixture directory in tests). */
  procRoot?: string;
  /** Reads a file under procRoot (e.g. `123/stat`); null when unreadable. */
  readText?: ProcTextReader;
  /** Memory of one process; default parses `<pid>/smaps_rollup`. */
  readMemory?: (pid: number) => MemoryFigures | null;
  /** Backlog of the listeners on `ports` in one file, reading until `expected` were found. */
  readBacklog?: (file: NetTcpFile, ports: readonly number[], expected: number) => ListenBacklog | null;
  /** Live cgroup figures; default `cgroupFigures(detectResources())` on the real /proc, none under another procRoot. */
  readCgroup?: () => CgroupFigures | null;
  /** The planned listen backlog: the limit is min(this, somaxconn) when the kernel does not report it. */
  configuredBacklog?: number | null;
  /** The supervisor's own pid (default process.pid). */
  selfPid?: number;
  /** Monotonic milliseconds (default performance.now). */
  now?: () => number;
  /** Wall clock for the sample's ISO time (default `new Date()`). */
  wallClock?: () => Date;
  hz?: number;
  /** The workers' shared-memory counters (requests, in flight, the guard's figures), when they keep them. */
  readStats?: (pids: readonly number[]) => ReadonlyMap<number, WorkerStats>;
  onSample?: (sample: Sample) => void;
  /** A tick that threw (a bug: unreadable files are values, not errors). Default: rethrown async. */
  onError?: (error: unknown) => void;
}

export interface Sampler {
  /** Takes one sample now (also feeds onSample). */
  sampleOnce(): Sample;
  /** Samples now and then every intervalMs. */
  start(): void;
  stop(): void;
  /** The latest sample, null before the first. */
  readonly last: Sample | null;
}

interface Mark {
  startTimeTicks: number;
  ticks: number;
  atMs: number;
  memory: MemoryFigures | null;
  memoryAtMs: number;
  /** RSS pages when `memory` was read. */
  memoryRssPages: number;
}

/** Ticks after which a port family with no listener is looked at again. */
const REDISCOVER_TICKS = 30;

/** How often each process's smaps_rollup is refreshed by default (it costs ~0.7 ms of CPU per read). */
export const DEFAULT_MEMORY_INTERVAL_MS = 5000;

/**
 * Asked for memory every tick, the sampler still keeps a process's last smaps_rollup (for up to the
 * default interval) while its RSS, read fresh from stat, moved less than this: private memory cannot
 * grow without RSS growing, bar copy-on-write of shared pages, which is slow. Under load that spares
 * most reads (4 processes' smaps_rollup cost ~18 ms of CPU a second beside a preloaded 130 MiB master).
 */
export const RSS_MOVE_BYTES = 1024 * 1024;

/** Creates a sampler for one gunicorn master. */
export function createSampler(options: SamplerOptions): Sampler {
  const procRoot = options.procRoot ?? "/proc";
  const readText = options.readText ?? procTextReader(procRoot);
  const readMemory = options.readMemory ?? ((pid: number) => memoryOf(readText(`${pid}/smaps_rollup`)));
  const readBacklog =
    options.readBacklog ??
    ((file: NetTcpFile, ports: readonly number[], expected: number) =>
      readListenBacklog(`${procRoot}/${file}`, ports, expected));
  const readCgroup =
    options.readCgroup ?? (procRoot === "/proc" ? () => cgroupFigures(detectResources()) : () => null);
  const ports = options.ports ?? [];
  const selfPid = options.selfPid ?? process.pid;
  const now = options.now ?? (() => performance.now());
  const wallClock = options.wallClock ?? (() => new Date());
  const hz = options.hz ?? CLOCK_TICKS_PER_SECOND;
  const intervalMs = options.intervalMs ?? 1000;
  const memoryInterval = options.memoryIntervalMs ?? DEFAULT_MEMORY_INTERVAL_MS;
  const memoryIntervalMs = (): number =>
    typeof memoryInterval === "function" ? memoryInterval() : memoryInterval;
  const somaxconn = Number(readText("sys/net/core/somaxconn")?.trim() ?? NaN);
  const pageSize = detectPageSize(readText, selfPid);
  const marks = new Map<number, Mark>();
  const expectedListeners: Record<NetTcpFile, number> = { "net/tcp": Infinity, "net/tcp6": Infinity };
  let tickCount = 0;
  let last: Sample | null = null;
  let timer: NodeJS.Timeout | null = null;

  function readStat(pid: number): ProcStat | null {
    const text = readText(`${pid}/stat`);
    return text === null ? null : parseProcStat(text);
  }

  function toSample(pid: number, stat: ProcStat, atMs: number, refreshMemory: boolean): ProcessSample {
    const ticks = stat.utimeTicks + stat.stimeTicks;
    const prev = marks.get(pid);
    const same = prev !== undefined && prev.startTimeTicks === stat.startTimeTicks;
    let memory = same ? prev.memory : null;
    let memoryAtMs = same ? prev.memoryAtMs : -Infinity;
    if (stat.state !== "Z" && (refreshMemory || memory === null)) {
      memory = readMemory(pid);
      memoryAtMs = atMs;
    }
    const memoryRssPages = memoryAtMs === atMs ? stat.rssPages : (prev?.memoryRssPages ?? stat.rssPages);
    marks.set(pid, { startTimeTicks: stat.startTimeTicks, ticks, atMs, memory, memoryAtMs, memoryRssPages });
    const figures =
      stat.state === "Z" ? UNKNOWN_MEMORY : { ...(memory ?? UNKNOWN_MEMORY), rss: stat.rssPages * pageSize };
    return {
      pid,
      procState: stat.state,
      startTimeTicks: stat.startTimeTicks,
      memory: figures,
      cpuSeconds: cpuSeconds(stat.utimeTicks, stat.stimeTicks, hz),
      cpuPercent: same ? cpuPercent(prev, { ticks, atMs }, hz) : null,
    };
  }

  /**
   * Which processes get smaps_rollup read this tick: the stalest, enough to refresh all within
   * memoryIntervalMs; asked for every tick, only those whose RSS moved RSS_MOVE_BYTES (or whose
   * reading reached the default interval).
   */
  function memoryRefreshes(stats: ReadonlyMap<number, ProcStat>, atMs: number): Set<number> {
    const every = memoryIntervalMs();
    const pids = [...stats.keys()];
    const age = (pid: number): number => atMs - (marks.get(pid)?.memoryAtMs ?? -Infinity);
    const moved = (pid: number): boolean => {
      const mark = marks.get(pid);
      const rssPages = stats.get(pid)!.rssPages;
      return mark === undefined || Math.abs(rssPages - mark.memoryRssPages) * pageSize >= RSS_MOVE_BYTES;
    };
    const stale = pids.filter(
      (pid) =>
        age(pid) >= every - intervalMs / 2 &&
        (every > intervalMs || moved(pid) || age(pid) >= DEFAULT_MEMORY_INTERVAL_MS - intervalMs / 2),
    );
    const budget = Math.ceil((pids.length * intervalMs) / Math.max(intervalMs, every));
    stale.sort((a, b) => age(b) - age(a));
    return new Set(stale.slice(0, budget));
  }

  function backlog(): BacklogFigures | null {
    if (ports.length === 0) return null;
    const found: ListenBacklog = { queued: 0, max: null, listeners: 0 };
    for (const file of ["net/tcp", "net/tcp6"] as const) {
      const expected = expectedListeners[file];
      if (expected === 0 && tickCount % REDISCOVER_TICKS !== 0) continue;
      const one = readBacklog(file, ports, expected === 0 ? Infinity : expected);
      expectedListeners[file] = one?.listeners ?? 0;
      if (!one) continue;
      found.listeners += one.listeners;
      found.queued += one.queued;
      if (one.max !== null) found.max = (found.max ?? 0) + one.max;
    }
    const perSocket = Number.isFinite(somaxconn)
      ? Math.min(options.configuredBacklog ?? somaxconn, somaxconn)
      : (options.configuredBacklog ?? null);
    const max =
      found.max ?? (perSocket === null || found.listeners === 0 ? null : perSocket * found.listeners);
    return { queued: found.listeners > 0 ? found.queued : null, max, listeners: found.listeners };
  }

  function sampleOnce(): Sample {
    const started = now();
    const masterStat = readStat(options.masterPid);
    const childText = masterStat ? readText(`${options.masterPid}/task/${options.masterPid}/children`) : null;
    const stats = new Map<number, ProcStat>();
    for (const pid of childText === null ? [] : parseChildren(childText).sort((a, b) => a - b)) {
      const stat = readStat(pid);
      if (stat) stats.set(pid, stat);
    }
    const selfStat = readStat(selfPid);
    const alive = new Map<number, ProcStat>([
      ...(masterStat ? ([[options.masterPid, masterStat]] as const) : []),
      ...stats,
      ...(selfStat ? ([[selfPid, selfStat]] as const) : []),
    ]);
    const refresh = memoryRefreshes(alive, started);
    const master = masterStat
      ? toSample(options.masterPid, masterStat, started, refresh.has(options.masterPid))
      : null;
    const counters = options.readStats?.([...stats.keys()]) ?? null;
    const workers = [...stats].map(([pid, stat]) => {
      const sample = toSample(pid, stat, started, refresh.has(pid));
      return counters === null ? sample : { ...sample, stats: counters.get(pid) ?? null };
    });
    const self = selfStat
      ? toSample(selfPid, selfStat, started, refresh.has(selfPid))
      : unknownProcess(selfPid);
    const backlogFigures = backlog();
    const cgroup = readCgroup();
    for (const pid of marks.keys()) if (!alive.has(pid)) marks.delete(pid);
    tickCount++;
    const sample: Sample = {
      time: wallClock().toISOString(),
      atMs: started,
      durationMs: now() - started,
      master,
      workers,
      cgroup,
      backlog: backlogFigures,
      self,
    };
    last = sample;
    options.onSample?.(sample);
    return sample;
  }

  function tick(): void {
    try {
      sampleOnce();
    } catch (error) {
      if (options.onError) options.onError(error);
      else
        setImmediate(() => {
          throw error;
        });
    }
  }

  return {
    sampleOnce,
    start() {
      if (timer) return;
      tick();
      timer = setInterval(tick, intervalMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
    get last() {
      return last;
    },
  };
}

function memoryOf(text: string | null): MemoryFigures | null {
  return text === null ? null : memoryFromSmapsRollup(text);
}

/** Page size from one process's VmRSS (kB) over its stat RSS pages, rounded to a power of two; 4096 if unknown. */
function detectPageSize(readText: ProcTextReader, pid: number): number {
  const statText = readText(`${pid}/stat`);
  const statusText = readText(`${pid}/status`);
  const pages = statText === null ? null : parseProcStat(statText)?.rssPages;
  const bytes = statusText === null ? null : parseProcStatus(statusText).vmRssBytes;
  if (!pages || !bytes) return 4096;
  return 2 ** Math.round(Math.log2(bytes / pages));
}
