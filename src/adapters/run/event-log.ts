/**
 * The append-only JSONL event log: one `GunicornEvent` per line, each line written with a single
 * `writeSync` to a file descriptor opened with O_APPEND. A write that returned is in the kernel's page
 * cache, so a crash (even SIGKILL) of gwarden loses at most the line being written; a torn last line
 * is skipped when reading. Size-based rotation: `events.jsonl` → `events.jsonl.1` → ... keeping `files`
 * files in all.
 */
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { dirname } from "node:path";
import { GwardenError } from "../../core/error.js";
import type { GunicornEvent } from "../../core/events/types.js";
import { MiB } from "../../core/size.js";

export interface EventLogOptions {
  path: string;
  /** Rotate before a line would take the live file past this size (default 10 MiB). */
  maxBytes?: number;
  /** Files kept in all, the live one included (default 3: events.jsonl, .1, .2). */
  files?: number;
}

export interface EventLog {
  readonly path: string;
  /** Appends one event as one line. Throws GwardenError E_IO when the write fails. */
  append(event: GunicornEvent): void;
  close(): void;
}

/** Opens (creating the directory and file) an append-only event log. Throws GwardenError E_IO. */
export function openEventLog(options: EventLogOptions): EventLog {
  const { path } = options;
  const maxBytes = options.maxBytes ?? 10 * MiB;
  const files = Math.max(1, options.files ?? 3);
  let fd = -1;
  let size = 0;

  const open = () => {
    try {
      mkdirSync(dirname(path), { recursive: true });
      fd = openSync(path, "a+", 0o640);
      size = fstatSync(fd).size;
      if (size > 0 && !endsWithNewline(fd, size)) size += writeSync(fd, "\n");
    } catch (cause) {
      throw ioError(`cannot open the event log ${path}`, cause);
    }
  };

  const rotate = () => {
    closeSync(fd);
    try {
      rmSync(`${path}.${files - 1}`, { force: true });
      for (let i = files - 2; i >= 1; i--)
        if (existsSync(`${path}.${i}`)) renameSync(`${path}.${i}`, `${path}.${i + 1}`);
      if (files > 1) renameSync(path, `${path}.1`);
      else rmSync(path, { force: true });
    } catch (cause) {
      open();
      throw ioError(`cannot rotate the event log ${path}`, cause);
    }
    open();
  };

  open();
  return {
    path,
    append(event) {
      if (fd < 0) throw new GwardenError("E_IO", `the event log ${path} is closed`);
      const line = `${JSON.stringify(event)}\n`;
      const bytes = Buffer.byteLength(line);
      if (size > 0 && size + bytes > maxBytes) rotate();
      try {
        writeSync(fd, line);
      } catch (cause) {
        throw ioError(`cannot append to the event log ${path}`, cause);
      }
      size += bytes;
    },
    close() {
      if (fd >= 0) closeSync(fd);
      fd = -1;
    },
  };
}

/** Reads the events of a log, oldest first, rotated files included; malformed (torn) lines are skipped. */
export function readEventLog(path: string, options: { files?: number } = {}): GunicornEvent[] {
  const files = Math.max(1, options.files ?? 3);
  const events: GunicornEvent[] = [];
  for (let i = files - 1; i >= 0; i--) {
    const file = i === 0 ? path : `${path}.${i}`;
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, "utf8").split("\n")) {
      if (line.trim() === "") continue;
      try {
        const value: unknown = JSON.parse(line);
        if (typeof value === "object" && value !== null && "kind" in value)
          events.push(value as GunicornEvent);
      } catch {
        // A line torn by a crash mid-write: everything before it is intact.
      }
    }
  }
  return events;
}

/** False when the last line was torn by a crash mid-write (it is then terminated, not continued). */
function endsWithNewline(fd: number, size: number): boolean {
  const last = Buffer.alloc(1);
  return readSync(fd, last, 0, 1, size - 1) === 1 && last[0] === 0x0a;
}

function ioError(message: string, cause: unknown): GwardenError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  return new GwardenError("E_IO", code ? `${message}: ${code}` : message, {
    cause,
    hint: "check the --event-log path and its permissions",
  });
}
