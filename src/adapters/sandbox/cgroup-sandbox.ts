/**
 * Real cgroups for tests, profile, bench and lab: a uniquely named child group with a memory limit (swap
 * closed) and optionally a CPU quota, on cgroup v1 (memory and cpu controllers, as on this machine) or v2
 * (one directory in a delegated subtree). Every sandbox is removed by `remove()`, and still-open ones on
 * process exit, SIGINT and SIGTERM. Only groups this module created are ever touched.
 */
import { existsSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { GwardenError } from "../../core/error.js";
import { parseMountInfo, v1Controllers } from "../../core/cgroup/mountinfo.js";
import { parseProcCgroup } from "../../core/cgroup/proc-cgroup.js";
import { isWithin } from "../../core/cgroup/cgroup-path.js";
import { forgetOnExit, killAndRemoveSync, killAndRemove, removeOnExit } from "./cgroup-cleanup.js";
import { counter, makeGroup, number, pidsIn, read, write } from "./cgroup-files.js";
import { tryV2Parent, v2Parents } from "./cgroup-sandbox-v2.js";

export interface SandboxOptions {
  /** Memory limit in bytes (v1 memory.limit_in_bytes, v2 memory.max). */
  memoryBytes: number;
  /** CPU quota as float CPUs (cfs_quota/cfs_period or cpu.max); no quota when omitted. */
  cpus?: number;
  /** Close swap: memsw = memory (v1) or memory.swap.max = 0 (v2). Default true. */
  closeSwap?: boolean;
  /** Part of the group name, for people reading /sys/fs/cgroup (letters, digits, dash). */
  name?: string;
}

export interface Sandbox {
  readonly name: string;
  readonly version: "v1" | "v2";
  /** Directory of the memory group (absolute). */
  readonly memoryDir: string;
  /** Directory of the cpu group, or null without a CPU quota (equal to memoryDir on v2). */
  readonly cpuDir: string | null;
  /** An argv that moves itself into the group(s) and then execs `argv`. */
  wrap(argv: readonly string[]): string[];
  /** OOM kills inside the group so far (v1 memory.oom_control oom_kill, v2 memory.events oom_kill). */
  oomKills(): number;
  /** High-water mark of memory usage, or null when the kernel does not keep one. */
  peakBytes(): number | null;
  /** Current memory usage (memory.usage_in_bytes / memory.current), or null when unreadable. */
  usageBytes(): number | null;
  /** Pids currently in the memory group. */
  pids(): number[];
  /** Kills what is left in the group(s) and removes the directories; idempotent. */
  remove(): Promise<void>;
}

const PERIOD_US = 100_000;

/** The shell program used by wrap(): $1 = number of cgroup.procs files, then the files, then the argv. */
const ENTER_SCRIPT =
  'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n-1)); done; exec "$@"';

function groupName(name: string | undefined): string {
  const label = (name ?? "sandbox").replace(/[^A-Za-z0-9-]/g, "-").slice(0, 40) || "sandbox";
  return `gwarden-${label}-${process.pid}-${randomBytes(4).toString("hex")}`;
}

function readLayout(): {
  mounts: ReturnType<typeof parseMountInfo>["mounts"];
  cgroups: ReturnType<typeof parseProcCgroup>;
} {
  const mountinfo = read("/proc/self/mountinfo");
  const procCgroup = read("/proc/self/cgroup");
  if (mountinfo === null || procCgroup === null) {
    throw new GwardenError("E_CGROUP", "Cannot read /proc/self/mountinfo or /proc/self/cgroup");
  }
  return { mounts: parseMountInfo(mountinfo).mounts, cgroups: parseProcCgroup(procCgroup) };
}

/** The top of the v1 hierarchy carrying `controller` (under /sys/fs/cgroup preferred); our own path does not matter. */
function v1MountPoint(layout: ReturnType<typeof readLayout>, controller: string): string | null {
  const mounts = layout.mounts.filter(
    (m) => m.fsType === "cgroup" && !m.root.startsWith("/..") && v1Controllers(m).includes(controller),
  );
  const best = mounts.find((m) => isWithin("/sys/fs/cgroup", m.mountPoint)) ?? mounts[0];
  return best?.mountPoint ?? null;
}

function createV1(
  options: Required<Pick<SandboxOptions, "memoryBytes" | "closeSwap">> & SandboxOptions,
  name: string,
  layout: ReturnType<typeof readLayout>,
): { memoryDir: string; cpuDir: string | null } {
  const memoryTop = v1MountPoint(layout, "memory")!;
  const memoryDir = `${memoryTop}/${name}`;
  makeGroup(memoryDir);
  const dirs = [memoryDir];
  removeOnExit(dirs);
  try {
    write(`${memoryDir}/memory.limit_in_bytes`, String(options.memoryBytes));
    if (options.closeSwap) {
      if (existsSync(`${memoryDir}/memory.memsw.limit_in_bytes`))
        write(`${memoryDir}/memory.memsw.limit_in_bytes`, String(options.memoryBytes));
      else write(`${memoryDir}/memory.swappiness`, "0");
    }
    let cpuDir: string | null = null;
    if (options.cpus !== undefined) {
      const cpuTop = v1MountPoint(layout, "cpu");
      if (cpuTop === null) throw new GwardenError("E_CGROUP", "No cgroup v1 cpu controller is mounted");
      if (cpuTop === memoryTop) cpuDir = memoryDir;
      else {
        cpuDir = `${cpuTop}/${name}`;
        makeGroup(cpuDir);
        dirs.push(cpuDir);
        removeOnExit([cpuDir]);
      }
      write(`${cpuDir}/cpu.cfs_period_us`, String(PERIOD_US));
      write(`${cpuDir}/cpu.cfs_quota_us`, String(Math.max(1000, Math.round(options.cpus * PERIOD_US))));
    }
    return { memoryDir, cpuDir };
  } catch (error) {
    killAndRemoveSync(dirs);
    forgetOnExit(dirs);
    throw error;
  }
}

/** Creates a sandbox: a fresh `gwarden-<name>-<pid>-<random>` group with the given memory (and CPU) limit. */
export async function createSandbox(options: SandboxOptions): Promise<Sandbox> {
  if (!Number.isSafeInteger(options.memoryBytes) || options.memoryBytes <= 0) {
    throw new GwardenError(
      "E_NUMBER",
      `Expected memoryBytes to be a positive integer, got ${options.memoryBytes}`,
    );
  }
  if (options.cpus !== undefined && !(options.cpus > 0)) {
    throw new GwardenError("E_NUMBER", `Expected cpus to be positive, got ${options.cpus}`);
  }
  const full = { ...options, closeSwap: options.closeSwap ?? true };
  const name = groupName(options.name);
  const layout = readLayout();
  let version: "v1" | "v2";
  let memoryDir: string;
  let cpuDir: string | null;
  if (v1MountPoint(layout, "memory") !== null) {
    version = "v1";
    ({ memoryDir, cpuDir } = createV1(full, name, layout));
  } else {
    version = "v2";
    const dir = v2Parents(layout).reduce<string | null>(
      (found, parent) => found ?? tryV2Parent(parent, name, full),
      null,
    );
    if (dir === null) {
      throw new GwardenError(
        "E_CGROUP",
        "Could not create a cgroup v2 sandbox: no writable parent with the memory controller",
        {
          hint: "run as root, or inside a delegated cgroup subtree (systemd-run --user --scope -p Delegate=yes)",
        },
      );
    }
    memoryDir = dir;
    cpuDir = options.cpus === undefined ? null : dir;
  }
  return sandboxHandle(name, version, memoryDir, cpuDir);
}

function sandboxHandle(
  name: string,
  version: "v1" | "v2",
  memoryDir: string,
  cpuDir: string | null,
): Sandbox {
  const dirs = cpuDir === null || cpuDir === memoryDir ? [memoryDir] : [memoryDir, cpuDir];
  let removing: Promise<void> | null = null;
  return {
    name,
    version,
    memoryDir,
    cpuDir,
    wrap: (argv) => [
      "/bin/sh",
      "-c",
      ENTER_SCRIPT,
      "gwarden-sandbox",
      String(dirs.length),
      ...dirs.map((d) => `${d}/cgroup.procs`),
      ...argv,
    ],
    oomKills: () =>
      version === "v1"
        ? counter(`${memoryDir}/memory.oom_control`, "oom_kill")
        : counter(`${memoryDir}/memory.events`, "oom_kill"),
    peakBytes: () => number(`${memoryDir}/${version === "v1" ? "memory.max_usage_in_bytes" : "memory.peak"}`),
    usageBytes: () => number(`${memoryDir}/${version === "v1" ? "memory.usage_in_bytes" : "memory.current"}`),
    pids: () => pidsIn(memoryDir),
    remove: () => {
      // A failed removal (a process stuck in D state) may be retried; a successful one is remembered.
      removing ??= killAndRemove(dirs).then(
        () => forgetOnExit(dirs),
        (error: unknown) => {
          removing = null;
          throw error;
        },
      );
      return removing;
    },
  };
}

export { pidsIn };
