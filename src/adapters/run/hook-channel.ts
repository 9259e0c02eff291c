/**
 * The Node side of the instrumentation channel: whoever spawns gunicorn with the rendered config gives
 * it a pipe as fd 3 and names it in GWARDEN_EVENT_FD; the generated hooks write one HookRecord line per
 * event to it.
 *
 *   const child = spawn(python, args, { env: { ...env, ...hookChannelEnv() }, stdio: HOOK_STDIO });
 *   readHookRecords(hookStream(child)!, (record) => ...);
 */
import type { ChildProcess } from "node:child_process";
import { fstatSync } from "node:fs";
import { Socket } from "node:net";
import type { Readable } from "node:stream";
import type { HookRecord } from "../../core/events/hook-record.js";
import { parseHookRecord } from "../../core/events/parse-hook-record.js";

/** The child's fd for the channel. */
export const HOOK_FD = 3;
/** The environment variable the generated config reads. */
export const HOOK_FD_ENV = "GWARDEN_EVENT_FD";
/** stdio for spawn(): stdin ignored, stdout, stderr and the channel (fd 3) piped. */
export const HOOK_STDIO: ["ignore", "pipe", "pipe", "pipe"] = ["ignore", "pipe", "pipe", "pipe"];
/** A line longer than this without a newline is junk and is dropped (records are < 4 KiB). */
const MAX_LINE = 64 * 1024;

/** Environment additions that switch the generated config's channel on. */
export function hookChannelEnv(fd: number = HOOK_FD): Record<string, string> {
  return { [HOOK_FD_ENV]: String(fd) };
}

/** The read end of the child's fd 3, when it was spawned with a pipe there. */
export function hookStream(child: ChildProcess, fd: number = HOOK_FD): Readable | null {
  const stream = child.stdio[fd];
  return stream && "read" in stream ? (stream as Readable) : null;
}

export interface ReadHookRecordsOptions {
  /** Called with each line that is not a valid record (default: ignored). */
  onJunk?: (line: string) => void;
  /** Called once when the writer side is closed (gunicorn and all its workers are gone). */
  onEnd?: () => void;
}

/**
 * Reads HookRecord lines from a stream (line-buffered, partial chunks joined, junk ignored) and calls
 * onRecord for each. Stream errors are swallowed. Returns a function that stops delivering records
 * (the stream keeps being drained so the writers never see a full pipe).
 */
export function readHookRecords(
  stream: NodeJS.ReadableStream,
  onRecord: (record: HookRecord) => void,
  options: ReadHookRecordsOptions = {},
): () => void {
  let buffer = "";
  let dropping = false;
  const junk = (line: string): void => options.onJunk?.(line);
  const handleLine = (line: string): void => {
    if (line.trim() === "") return;
    const record = parseHookRecord(line);
    if (record) onRecord(record);
    else junk(line);
  };
  const onData = (chunk: string | Buffer): void => {
    buffer += typeof chunk === "string" ? chunk : chunk.toString("utf8");
    let newline = buffer.indexOf("\n");
    while (newline !== -1) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (dropping) dropping = false;
      else handleLine(line);
      newline = buffer.indexOf("\n");
    }
    if (buffer.length > MAX_LINE) {
      junk(buffer.slice(0, 200));
      buffer = "";
      dropping = true;
    }
  };
  const onEnd = (): void => {
    if (buffer !== "" && !dropping) handleLine(buffer);
    buffer = "";
    options.onEnd?.();
  };
  const onError = (): void => {
    // EPIPE / ECONNRESET when gunicorn dies: the channel is just over.
  };
  stream.setEncoding("utf8");
  stream.on("data", onData);
  stream.on("end", onEnd);
  stream.on("error", onError);
  return () => {
    stream.removeListener("data", onData);
    stream.removeListener("end", onEnd);
    stream.resume();
  };
}

/**
 * When gwarden itself was started with a channel (GWARDEN_EVENT_FD naming a pipe or socket: `gwarden
 * lab` runs its planned config as `gwarden run` this way), a writer that passes every hook record up,
 * so the harness sees the workers exactly as with a bare gunicorn.
 * Writes are asynchronous and dropped once the reader is gone; null when there is no such channel.
 */
export function openUpstreamChannel(
  env: NodeJS.ProcessEnv = process.env,
): ((record: HookRecord) => void) | null {
  const fd = Number(env[HOOK_FD_ENV] ?? "");
  if (!Number.isInteger(fd) || fd < 3) return null;
  try {
    const stat = fstatSync(fd);
    if (!stat.isFIFO() && !stat.isSocket()) return null;
  } catch {
    return null;
  }
  const socket = new Socket({ fd, readable: false, writable: true });
  let open = true;
  socket.on("error", () => {
    open = false;
    socket.destroy();
  });
  socket.unref();
  return (record) => {
    if (open) socket.write(`${JSON.stringify(record)}\n`);
  };
}
