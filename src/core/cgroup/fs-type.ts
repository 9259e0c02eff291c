/** Which filesystem a directory lives on, from /proc/self/mountinfo text (the last, longest mount wins). */
import { parseMountInfo, type MountEntry } from "./mountinfo.js";

/** Filesystems that live in memory: a heartbeat there never waits on a disk. */
const MEMORY_FS = new Set(["tmpfs", "ramfs", "devtmpfs"]);

/** The mount holding absolute path `dir` (no symlink resolution: pass a real path), or null. */
export function mountOf(mountinfo: string, dir: string): MountEntry | null {
  const path = dir.replace(/\/+$/, "") || "/";
  let best: MountEntry | null = null;
  for (const m of parseMountInfo(mountinfo).mounts) {
    const point = m.mountPoint.replace(/\/+$/, "") || "/";
    const inside = point === "/" || path === point || path.startsWith(`${point}/`);
    // Later mounts over the same point shadow earlier ones, so >= keeps the last.
    if (inside && (best === null || point.length >= (best.mountPoint.replace(/\/+$/, "") || "/").length))
      best = m;
  }
  return best;
}

/** True when `dir` is on tmpfs (or another in-memory filesystem). */
export function isTmpfsDir(mountinfo: string, dir: string): boolean {
  const m = mountOf(mountinfo, dir);
  return m !== null && MEMORY_FS.has(m.fsType);
}

/** True for in-memory filesystem types. */
export function isMemoryFs(fsType: string): boolean {
  return MEMORY_FS.has(fsType);
}
