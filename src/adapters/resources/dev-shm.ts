import { existsSync, readFileSync } from "node:fs";
import { isTmpfsDir } from "../../core/doctor/fs-type.js";

/** /proc/self/mountinfo, or null when it cannot be read. */
export function readMountInfo(): string | null {
  try {
    return readFileSync("/proc/self/mountinfo", "utf8");
  } catch {
    return null;
  }
}

/** Whether /dev/shm is a memory filesystem (for gunicorn's heartbeat files); when unsure, whether it exists. */
export function devShmOnTmpfs(): boolean {
  const mountinfo = readMountInfo();
  return mountinfo === null ? existsSync("/dev/shm") : isTmpfsDir(mountinfo, "/dev/shm");
}
