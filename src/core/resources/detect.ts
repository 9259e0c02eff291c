/**
 * Resource detection (cgroups.md, the whole of it) as a pure function over an injected file reader:
 * locate the process's memory and cpu cgroups, read limits as the minimum over the visible chain, combine
 * them with the host figures, and say where every figure came from. Never throws on bad input.
 */
import type { Provenance, Resources } from "./types.js";
import type { Reader } from "./probe.js";
import { Notes, readText } from "./probe.js";
import { controllerVersion, locateControllers, overallVersion, type Located } from "./locate.js";
import { readMemoryV1 } from "./memory-v1.js";
import { readMemoryV2 } from "./memory-v2.js";
import { combineMemory } from "./combine-memory.js";
import { readCpuChain } from "./cpu.js";
import { parseMemInfo } from "../cgroup/meminfo.js";
import { parsePressure } from "../cgroup/psi.js";
import { affinityFromStatus } from "../cgroup/cpu-list.js";
import type { Pressure } from "../cgroup/psi.js";

export type { Reader, ReadResult } from "./probe.js";

export interface DetectInput {
  /** Reads an absolute path such as "/proc/self/cgroup" (the adapter maps it under the root). */
  read: Reader;
  /** CPUs in the affinity mask (production: os.availableParallelism()). */
  affinityCpus: number;
  /** Prefer /proc/self/status `Cpus_allowed_list` when readable (used under --root). */
  affinityFromStatus?: boolean;
}

function whyAbsent(located: Located): string {
  return located.kind === "found" ? "" : located.reason;
}

function readPressure(
  read: Reader,
  notes: Notes,
  key: string,
  cgroupFile: string | null,
  hostFile: string,
): Pressure | null {
  const failures: string[] = [];
  for (const [path, source] of [
    [cgroupFile, "cgroup-v2"],
    [hostFile, "host"],
  ] as const) {
    if (path === null) continue;
    const text = readText(read, path, (r) => failures.push(r));
    const parsed = text === null ? null : parsePressure(text);
    if (text !== null && parsed === null) failures.push(`${path}: no valid \`some\` line`);
    if (parsed) {
      notes.set(key, { source, path });
      return parsed;
    }
  }
  notes.set(key, {
    source: "unknown",
    reason: failures.length > 0 ? failures.join("; ") : "PSI unavailable (no pressure files)",
  });
  return null;
}

function detectCpu(
  read: Reader,
  cpu: Located,
  affinity: number,
  affinityProv: Provenance,
  notes: Notes,
): Resources["cpu"] {
  let quota: number | null = null;
  if (cpu.kind === "found") {
    const result = readCpuChain(read, cpu.chain, cpu.version);
    for (const reason of result.unknown) notes.warn(`cpu quota unknown at one level, ignored: ${reason}`);
    quota = result.quota;
    const source = cpu.version === "v1" ? "cgroup-v1" : "cgroup-v2";
    if (result.quota !== null)
      notes.set("cpu.quota", {
        source,
        path: result.path!,
        reason: `quota/period, min over ${cpu.chain.length} level(s)`,
      });
    else if (result.unknown.length > 0)
      notes.set("cpu.quota", { source: "unknown", reason: result.unknown.join("; ") });
    else notes.set("cpu.quota", { source, path: cpu.dir, reason: "no quota at any level" });
  } else {
    notes.set("cpu.quota", {
      source: cpu.kind === "unresolved" ? "unknown" : "host",
      reason: `no usable cgroup cpu controller: ${cpu.reason}`,
    });
    notes.warn(`cpu: no usable cgroup cpu controller (${cpu.reason}); only the affinity count is used`);
  }
  notes.set("cpu.affinity", affinityProv);
  const effective = Math.min(affinity, quota ?? Infinity);
  notes.set("cpu.effective", {
    source: quota !== null && quota < affinity ? notes.sources["cpu.quota"]!.source : "affinity",
    reason: "min(affinity, quota)",
  });
  return {
    quota,
    affinity,
    effective,
    effectiveFloor: Math.max(1, Math.floor(effective)),
    effectiveCeil: Math.ceil(effective),
  };
}

/** Detects the resources this process really has. */
export function detect(input: DetectInput): Resources {
  const { read } = input;
  const notes = new Notes();
  const meminfoText = readText(read, "/proc/meminfo", (r) => notes.warn(`host memory unknown: ${r}`));
  const host = parseMemInfo(meminfoText ?? "");
  const located = locateControllers(read, notes);
  const { memory: mem, cpu } = located;
  const report =
    mem.kind === "found"
      ? mem.version === "v1"
        ? readMemoryV1(read, mem.chain)
        : readMemoryV2(read, mem.chain)
      : null;
  const memSource = mem.kind === "found" && mem.version === "v1" ? "cgroup-v1" : "cgroup-v2";
  const combined = combineMemory(report, memSource, host, notes, whyAbsent(mem), mem.kind === "unresolved");

  let affinity = Number.isFinite(input.affinityCpus) ? Math.max(1, Math.floor(input.affinityCpus)) : 1;
  let affinityProv: Provenance = {
    source: "affinity",
    reason: "sched_getaffinity (os.availableParallelism)",
  };
  if (input.affinityFromStatus) {
    const status = readText(read, "/proc/self/status");
    const count = status === null ? null : affinityFromStatus(status);
    if (count !== null && count > 0) {
      affinity = count;
      affinityProv = { source: "affinity", path: "/proc/self/status", reason: "Cpus_allowed_list" };
    }
  }
  const cpuFigures = detectCpu(read, cpu, affinity, affinityProv, notes);

  const memoryVersion = controllerVersion(mem);
  const cpuVersion = controllerVersion(cpu);
  const unifiedDir =
    mem.kind === "found" && mem.version === "v2"
      ? mem.dir
      : cpu.kind === "found" && cpu.version === "v2"
        ? cpu.dir
        : null;
  const pressure = {
    memory: readPressure(
      read,
      notes,
      "pressure.memory",
      mem.kind === "found" && mem.version === "v2" ? `${mem.dir}/memory.pressure` : null,
      "/proc/pressure/memory",
    ),
    cpu: readPressure(
      read,
      notes,
      "pressure.cpu",
      cpu.kind === "found" && cpu.version === "v2" ? `${cpu.dir}/cpu.pressure` : null,
      "/proc/pressure/cpu",
    ),
    io: readPressure(
      read,
      notes,
      "pressure.io",
      unifiedDir === null ? null : `${unifiedDir}/io.pressure`,
      "/proc/pressure/io",
    ),
  };
  const version = overallVersion(memoryVersion, cpuVersion, located.layout);
  const controllers = memoryVersion ?? cpuVersion;
  const unresolved = [
    ...(mem.kind === "unresolved" ? [`memory: ${mem.reason}`] : []),
    ...(cpu.kind === "unresolved" ? [`cpu: ${cpu.reason}`] : []),
  ];
  notes.set("cgroup.version", {
    source: controllers === null ? "unknown" : controllers === "v1" ? "cgroup-v1" : "cgroup-v2",
    path: "/proc/self/mountinfo",
    reason: `memory on ${memoryVersion ?? "none"}, cpu on ${cpuVersion ?? "none"}; host layout ${located.layout}${unresolved.length > 0 ? "; this process's group could not be read, so its limits are unknown" : ""}`,
  });
  return {
    cgroup: {
      version,
      layout: located.layout,
      memoryController: memoryVersion,
      cpuController: cpuVersion,
      memoryDir: mem.kind === "found" ? mem.dir : null,
      cpuDir: cpu.kind === "found" ? cpu.dir : null,
      limitsUnresolved: unresolved.length > 0 ? unresolved.join("; ") : null,
    },
    memory: combined.memory,
    swap: combined.swap,
    cpu: cpuFigures,
    pressure,
    oom: combined.oom,
    sources: notes.sources,
    warnings: notes.warnings,
  };
}
