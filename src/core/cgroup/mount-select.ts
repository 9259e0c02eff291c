/**
 * Finds the directory of a controller for this process (cgroups.md §2.1 and §2.2): the per-controller
 * version decision, the mount selection among duplicates, and the mount-root vs cgroup-path rule.
 */
import type { MountEntry } from "./mountinfo.js";
import { v1Controllers } from "./mountinfo.js";
import type { ProcCgroup } from "./proc-cgroup.js";
import { malformedMentions, v1Entry } from "./proc-cgroup.js";
import { components, joinPath, relativeBelow } from "./cgroup-path.js";

/**
 * A controller's resolution: found (version, directory, mount point); absent (no such controller here: host
 * figures apply); or unresolved (it exists but cannot be read: its figures are unknown), each with why.
 */
export type ControllerLocation =
  | { kind: "found"; version: "v1" | "v2"; dir: string; mountPoint: string; note?: string }
  | { kind: "absent"; reason: string }
  | { kind: "unresolved"; version: "v1" | "v2" | null; reason: string };

const SYS_FS_CGROUP = "/sys/fs/cgroup";

/** Resolves cgroup path `path` in a mount (root R, point M): M+P, M when P == R, M+rest when below, else null. */
export function resolveInMount(mount: MountEntry, path: string): string | null {
  const rel = relativeBelow(mount.root, path);
  return rel === null ? null : joinPath(mount.mountPoint, rel);
}

function underSysFsCgroup(mount: MountEntry): boolean {
  return relativeBelow(SYS_FS_CGROUP, mount.mountPoint) !== null;
}

/** Picks among mounts of one hierarchy: skip roots under `/..`, prefer resolvable, then under /sys/fs/cgroup. */
export function pickMount(
  mounts: readonly MountEntry[],
  path: string,
): { mount: MountEntry; dir: string; note?: string } | null {
  const visible = mounts.filter((m) => !m.root.startsWith("/.."));
  const rank = (m: MountEntry): number =>
    (resolveInMount(m, path) !== null ? 2 : 0) + (underSysFsCgroup(m) ? 1 : 0);
  const ordered = [...visible].sort((a, b) => rank(b) - rank(a));
  for (const mount of ordered) {
    const dir = resolveInMount(mount, path);
    if (dir !== null) return { mount, dir };
  }
  // A path outside our namespace (`/../..`): JDK falls back to the mount root and warns.
  if (components(path).includes("..")) {
    const mount = ordered[0];
    if (mount)
      return {
        mount,
        dir: mount.mountPoint,
        note: `cgroup path ${path} lies outside the namespace; using the mount root`,
      };
  }
  return null;
}

/** The v2 mounts, best first: root not under `/..`, mount point /sys/fs/cgroup first. */
export function unifiedMounts(mounts: readonly MountEntry[]): MountEntry[] {
  return mounts
    .filter((m) => m.fsType === "cgroup2")
    .sort((a, b) => Number(b.mountPoint === SYS_FS_CGROUP) - Number(a.mountPoint === SYS_FS_CGROUP));
}

/** Locates `controller` (memory, cpu, cpuset) per the per-controller rule: v1 if a v1 mount carries it, else v2. */
export function locateController(
  mounts: readonly MountEntry[],
  cgroups: ProcCgroup,
  controller: string,
): ControllerLocation {
  const v1 = mounts.filter((m) => m.fsType === "cgroup" && v1Controllers(m).includes(controller));
  if (v1.length > 0) {
    const entry = v1Entry(cgroups, controller);
    if (!entry) {
      const why = malformedMentions(cgroups, controller) ? "its line is malformed" : "it has no line";
      return {
        kind: "unresolved",
        version: "v1",
        reason: `v1 ${controller} is mounted but in /proc/self/cgroup ${why}`,
      };
    }
    const picked = pickMount(v1, entry.path);
    if (!picked) {
      return {
        kind: "unresolved",
        version: "v1",
        reason: `cgroup path ${entry.path} is not below the root of any ${controller} mount`,
      };
    }
    return {
      kind: "found",
      version: "v1",
      dir: picked.dir,
      mountPoint: picked.mount.mountPoint,
      ...(picked.note ? { note: picked.note } : {}),
    };
  }
  if (v1Entry(cgroups, controller)) {
    return {
      kind: "unresolved",
      version: "v1",
      reason: `${controller} is a v1 hierarchy in /proc/self/cgroup but is not mounted`,
    };
  }
  const unified = unifiedMounts(mounts);
  if (unified.length === 0) return { kind: "absent", reason: `no cgroup mount carries ${controller}` };
  if (!cgroups.unified) {
    return { kind: "absent", reason: `cgroup2 is mounted but /proc/self/cgroup has no valid 0:: line` };
  }
  const picked = pickMount(unified, cgroups.unified.path);
  if (!picked) {
    return {
      kind: "unresolved",
      version: "v2",
      reason: `cgroup path ${cgroups.unified.path} is not below the root of any cgroup2 mount`,
    };
  }
  return {
    kind: "found",
    version: "v2",
    dir: picked.dir,
    mountPoint: picked.mount.mountPoint,
    ...(picked.note ? { note: picked.note } : {}),
  };
}
