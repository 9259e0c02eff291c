/**
 * The cgroup v2 side of the sandbox: one directory in a subtree whose parent already hands the memory
 * (and cpu) controllers to its children — the mount root as root, or a delegated ancestor of our own group.
 */
import { existsSync, mkdirSync } from "node:fs";
import type { MountEntry } from "../../core/cgroup/mountinfo.js";
import type { ProcCgroup } from "../../core/cgroup/proc-cgroup.js";
import { locateController, unifiedMounts } from "../../core/cgroup/mount-select.js";
import { chainUpTo } from "../../core/cgroup/cgroup-path.js";
import { forgetOnExit, killAndRemoveSync, removeOnExit } from "./cgroup-cleanup.js";
import { read, write } from "./cgroup-files.js";

const PERIOD_US = 100_000;

/** Candidate parents for a v2 sandbox: the mount root, then the ancestors of our own cgroup (a delegated subtree). */
export function v2Parents(layout: { mounts: MountEntry[]; cgroups: ProcCgroup }): string[] {
  const mount = unifiedMounts(layout.mounts)[0];
  if (!mount) return [];
  const own = locateController(layout.mounts, layout.cgroups, "memory");
  const ownDir = own.kind === "found" && own.version === "v2" ? own.dir : mount.mountPoint;
  // Our own group holds processes, so it cannot take controllers for children ("no internal processes").
  const chain = chainUpTo(mount.mountPoint, ownDir).slice(1).reverse();
  return [...new Set([mount.mountPoint, ...chain])];
}

/** Creates the group under `parent` if that parent delegates the controllers; null when it cannot. */
export function tryV2Parent(
  parent: string,
  name: string,
  options: { memoryBytes: number; cpus?: number; closeSwap: boolean },
): string | null {
  const needed = options.cpus === undefined ? ["memory"] : ["memory", "cpu"];
  // Only parents that already hand these controllers to their children: never reconfigure a group we did not create.
  const enabled = (read(`${parent}/cgroup.subtree_control`) ?? "").split(/\s+/);
  if (!needed.every((c) => enabled.includes(c))) return null;
  const dir = `${parent}/${name}`;
  try {
    mkdirSync(dir);
  } catch {
    return null;
  }
  removeOnExit([dir]);
  try {
    write(`${dir}/memory.max`, String(options.memoryBytes));
    if (options.closeSwap && existsSync(`${dir}/memory.swap.max`)) write(`${dir}/memory.swap.max`, "0");
    if (options.cpus !== undefined)
      write(`${dir}/cpu.max`, `${Math.max(1000, Math.round(options.cpus * PERIOD_US))} ${PERIOD_US}`);
    return dir;
  } catch {
    killAndRemoveSync([dir]);
    forgetOnExit([dir]);
    return null;
  }
}
