/**
 * A synchronous file reader rooted at a directory: "/proc/self/cgroup" reads ROOT/proc/self/cgroup.
 * Sync I/O is fine for procfs and sysfs (no disk behind them). Failures come back as values, with the
 * errno code first ("ENOENT: ...") so detection can tell a missing file from a broken one.
 */
import { readFileSync, statSync } from "node:fs";
import { join, posix } from "node:path";
import type { Reader, ReadResult } from "../../core/resources/probe.js";

/** Largest file read (procfs files are small; guards against a fixture pointing at something huge). */
const MAX_BYTES = 1 << 20;

/** Creates a reader for absolute paths under `root` ("/" reads the real system). */
export function rootedReader(root = "/"): Reader {
  return (path: string): ReadResult => {
    // normalize first, so a hostile mount point like "/../../etc" cannot climb out of the root
    const full = root === "/" ? path : join(root, posix.normalize(`/${path}`));
    try {
      const text = readFileSync(full, "utf8");
      return { ok: true, text: text.length > MAX_BYTES ? text.slice(0, MAX_BYTES) : text };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "EIO";
      const message = error instanceof Error ? error.message.replace(/^[A-Z]+: /, "") : String(error);
      return { ok: false, reason: `${code}: ${message.replace(root === "/" ? "" : root, "")}` };
    }
  };
}

/** Whether `path` is a directory (a `--root` to read proc/ and sys/ under). */
export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
