/**
 * A real pipe for a child's stdout or stderr. Node's `stdio: "pipe"` hands the child a socket
 * (libuv uses socketpair), and `open("/dev/stderr")` — how gunicorn's `--error-logfile /dev/stderr` and
 * `--access-logfile /dev/stdout`, common in containers, reach the stream — fails on a socket with
 * ENXIO. Node has no pipe(2), so a FIFO in a private directory stands in: its read end is opened first
 * (non-blocking, read as a stream), its write end goes to the child as a plain fd, and the name is
 * removed at once. The child then sees a pipe, exactly as under a shell or a container runtime.
 */
import { closeSync, constants, mkdtempSync, openSync, rmSync } from "node:fs";
import { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import type { Platform } from "./platform.js";

export interface FifoPipe {
  /** The read end, as a stream. */
  readonly reader: Readable;
  /** The write end, for the child's stdio; `closeWriter` once the child has it. */
  readonly writerFd: number;
  closeWriter(): void;
}

/** Makes the FIFO with `mkfifo` (coreutils), else Python's os.mkfifo; null when neither works. */
async function makeFifo(platform: Platform, path: string): Promise<string | null> {
  const viaCoreutils = await platform.run("mkfifo", ["-m", "600", path], { timeoutMs: 10_000 });
  if (viaCoreutils.ok) return null;
  const viaPython = await platform.run(
    "python3",
    ["-c", "import os, sys; os.mkfifo(sys.argv[1], 0o600)", path],
    { timeoutMs: 10_000 },
  );
  return viaPython.ok ? null : (viaCoreutils.error ?? viaCoreutils.stderr.trim() ?? viaPython.stderr.trim());
}

/** A pipe made of a FIFO, or null (with the reason) when no FIFO can be made here. */
export async function openFifoPipe(platform: Platform): Promise<FifoPipe | { error: string }> {
  const dir = mkdtempSync(join(tmpdir(), "gwarden-pipe-"));
  const path = join(dir, "fifo");
  try {
    const failed = await makeFifo(platform, path);
    if (failed !== null) return { error: `cannot make a FIFO: ${failed}` };
    const readFd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const writerFd = openSync(path, constants.O_WRONLY);
    const reader = new Socket({ fd: readFd, readable: true, writable: false });
    let open = true;
    return {
      reader,
      writerFd,
      closeWriter() {
        if (open) closeSync(writerFd);
        open = false;
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
