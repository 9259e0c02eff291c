/**
 * The facts the planner needs to place heartbeat files: for each candidate directory, whether it
 * exists as a directory this user can write, and which filesystem holds it (mountinfo, after
 * resolving symlinks: /run/shm is often a link to /dev/shm).
 */
import { accessSync, constants, readFileSync, realpathSync, statSync } from "node:fs";
import { mountOf } from "../../core/cgroup/fs-type.js";
import { HEARTBEAT_CANDIDATES } from "../../core/plan/heartbeat.js";
import type { HeartbeatDirFact } from "../../core/plan/types.js";

/** One directory's fact. */
export function heartbeatDirFact(dir: string, mountinfo: string | null): HeartbeatDirFact {
  try {
    const real = realpathSync(dir);
    if (!statSync(real).isDirectory()) return { dir, usable: false, fsType: null };
    accessSync(real, constants.W_OK | constants.X_OK);
    return {
      dir,
      usable: true,
      fsType: mountinfo === null ? null : (mountOf(mountinfo, real)?.fsType ?? null),
    };
  } catch {
    return { dir, usable: false, fsType: null };
  }
}

/** /proc/self/mountinfo, or null when it cannot be read (filesystem types then stay unknown). */
export function readMountInfo(): string | null {
  try {
    return readFileSync("/proc/self/mountinfo", "utf8");
  } catch {
    return null;
  }
}

/** Facts for every candidate, preferred first: /dev/shm, /run/shm, $XDG_RUNTIME_DIR, /tmp. */
export function heartbeatDirFacts(env: NodeJS.ProcessEnv = process.env): HeartbeatDirFact[] {
  const mountinfo = readMountInfo();
  const dirs: string[] = [...HEARTBEAT_CANDIDATES];
  if (env.XDG_RUNTIME_DIR?.startsWith("/")) dirs.splice(dirs.length - 1, 0, env.XDG_RUNTIME_DIR);
  return dirs.map((d) => heartbeatDirFact(d, mountinfo));
}
