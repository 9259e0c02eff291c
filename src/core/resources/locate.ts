/**
 * Reads /proc/self/cgroup and /proc/self/mountinfo through the injected reader and locates the memory
 * and cpu controllers (cgroups.md §1, §2). Any failure makes the controller "absent" with the reason,
 * so detection falls back to host figures instead of failing.
 */
import type { CgroupVersion } from "./types.js";
import type { Notes, Reader } from "./probe.js";
import { isMissing, readText } from "./probe.js";
import { parseMountInfo, v1Controllers, type MountEntry } from "../cgroup/mountinfo.js";
import { parseProcCgroup } from "../cgroup/proc-cgroup.js";
import { locateController, type ControllerLocation } from "../cgroup/mount-select.js";
import { chainUpTo } from "../cgroup/cgroup-path.js";

/** A controller ready to read: its version, directory and the chain up to the mount point. */
export type Located =
  | { kind: "found"; version: "v1" | "v2"; dir: string; chain: string[] }
  | Exclude<ControllerLocation, { kind: "found" }>;

export interface Layout {
  layout: CgroupVersion;
  memory: Located;
  cpu: Located;
}

function layoutOf(mounts: readonly MountEntry[]): CgroupVersion {
  const v1 = mounts.some(
    (m) => m.fsType === "cgroup" && v1Controllers(m).some((c) => !c.startsWith("name=")),
  );
  const v2 = mounts.some((m) => m.fsType === "cgroup2");
  if (v1 && v2) return "hybrid";
  if (v1) return "v1";
  return v2 ? "v2" : "none";
}

const PROBES: Record<string, readonly string[]> = {
  "v1 memory": ["memory.limit_in_bytes", "memory.usage_in_bytes", "memory.stat"],
  "v1 cpu": ["cpu.cfs_quota_us", "cpu.cfs_period_us", "cpu.shares"],
  "v2 memory": ["cgroup.controllers", "memory.max", "memory.current", "memory.stat"],
  "v2 cpu": ["cgroup.controllers", "cpu.max", "cpu.stat"],
};

/** Whether a resolved directory is really there: the directory itself or one of its usual files reads. */
function dirExists(read: Reader, dir: string, key: string): boolean {
  const self = read(dir);
  if (self.ok || !isMissing(self.reason)) return true;
  return (PROBES[key] ?? []).some((file) => {
    const probe = read(`${dir}/${file}`);
    return probe.ok || !isMissing(probe.reason);
  });
}

/** On v2 a controller is usable in a group only if its cgroup.controllers lists it (when that file is readable). */
function checkV2Enabled(
  read: Reader,
  location: ControllerLocation,
  controller: string,
  layout: CgroupVersion,
): Located {
  if (location.kind !== "found") return location;
  const chain = chainUpTo(location.mountPoint, location.dir);
  const listed = location.version === "v2" ? read(`${location.dir}/cgroup.controllers`) : null;
  const lists = listed !== null && listed.ok && listed.text.split(/\s+/).includes(controller);
  // A cgroup2 tree beside v1 controllers (systemd's /sys/fs/cgroup/unified) carries no controllers: unless it
  // says otherwise, the controller is simply not available there.
  if (
    location.version === "v2" &&
    layout === "hybrid" &&
    location.mountPoint !== "/sys/fs/cgroup" &&
    !lists
  ) {
    return {
      kind: "absent",
      reason: `the cgroup2 tree at ${location.mountPoint} sits beside v1 controllers and does not carry ${controller}`,
    };
  }
  // the hierarchy is mounted but this process's group is not there to read (no /sys, a container that
  // hides the host's groups): the version is known, the limits are not
  if (!dirExists(read, location.dir, `${location.version} ${controller}`)) {
    return {
      kind: "unresolved",
      version: location.version,
      reason: `${location.dir} cannot be read (is /sys mounted?)`,
    };
  }
  if (listed !== null && listed.ok && !lists) {
    return {
      kind: "unresolved",
      version: "v2",
      reason: `${location.dir}/cgroup.controllers does not list ${controller}`,
    };
  }
  return { kind: "found", version: location.version, dir: location.dir, chain };
}

/** Locates the memory and cpu controllers of this process. */
export function locateControllers(read: Reader, notes: Notes): Layout {
  const failures: string[] = [];
  const cgroupText = readText(read, "/proc/self/cgroup", (r) => failures.push(r)) ?? null;
  const mountText = readText(read, "/proc/self/mountinfo", (r) => failures.push(r)) ?? null;
  if (cgroupText === null || mountText === null) {
    const missing = [
      cgroupText === null ? "/proc/self/cgroup" : null,
      mountText === null ? "/proc/self/mountinfo" : null,
    ]
      .filter(Boolean)
      .join(" and ");
    const reason = failures.length > 0 ? failures.join("; ") : `${missing} not found`;
    return { layout: "none", memory: { kind: "absent", reason }, cpu: { kind: "absent", reason } };
  }
  const mountinfo = parseMountInfo(mountText);
  const cgroups = parseProcCgroup(cgroupText);
  for (const line of cgroups.malformed)
    notes.warn(`ignored malformed /proc/self/cgroup line: ${line.slice(0, 120)}`);
  const badCgroupMounts = mountinfo.malformed.filter((line) => /(^|\s)cgroup2?(\s|$)/.test(line));
  for (const line of badCgroupMounts)
    notes.warn(`ignored malformed /proc/self/mountinfo line: ${line.slice(0, 120)}`);
  const layout = layoutOf(mountinfo.mounts);
  const locate = (controller: string): Located => {
    const found = locateController(mountinfo.mounts, cgroups, controller);
    if (found.kind === "found" && found.note) notes.warn(found.note);
    if (found.kind === "absent" && badCgroupMounts.length > 0) {
      return {
        kind: "unresolved",
        version: null,
        reason: `cannot classify cgroup mounts: ${badCgroupMounts.length} malformed mountinfo line(s)`,
      };
    }
    return checkV2Enabled(read, found, controller, layout);
  };
  return { layout, memory: locate("memory"), cpu: locate("cpu") };
}

/** The version a controller lives on, or null when it is not available. */
export function controllerVersion(located: Located): "v1" | "v2" | null {
  return located.kind === "absent" ? null : located.version;
}

/**
 * The overall version: "hybrid" for systemd's hybrid layout (resource controllers on v1 beside a cgroup2
 * mount) and when memory and cpu sit on different versions; else the controllers' shared version;
 * "none" without any. A v2 host with a stray v1 hierarchy (a freezer) stays "v2".
 */
export function overallVersion(
  memory: "v1" | "v2" | null,
  cpu: "v1" | "v2" | null,
  layout: CgroupVersion,
): CgroupVersion {
  if (memory === null && cpu === null) return "none";
  if (memory !== null && cpu !== null && memory !== cpu) return "hybrid";
  const version = (memory ?? cpu)!;
  return version === "v1" && layout === "hybrid" ? "hybrid" : version;
}
