/**
 * One raw log line → what it says. Strips shipper prefixes, splits gunicorn records glued onto one line,
 * reads gunicorn's `[time] [pid] [LEVEL]` header (or the legacy / custom variants) and matches the
 * message. Pure, and never throws on any input.
 */
import { matchMessage, serviceManagerStop, type MessageMatch } from "./message.js";
import { stripPrefixes } from "./prefixes.js";
import { parseGunicornStamp, type Stamp } from "./timestamp.js";

/** One gunicorn record found on a line. */
export interface LineRecord {
  message: string;
  stamp?: Stamp;
  pid?: number;
  level?: string;
  service?: string;
  /** Whether gunicorn's `[pid] [LEVEL]` header was found. */
  headed: boolean;
  match: MessageMatch | null;
}

const LEVELS = "DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL|FATAL";
/** `[2024-01-01 12:00:00 +0000] [123] [INFO] ` and the legacy `2024-01-01 12:00:00 [123] [INFO] `. */
const HEADER_SOURCE = `\\[?\\d{4}-\\d\\d-\\d\\d[ T]\\d\\d:\\d\\d:\\d\\d(?:[.,]\\d+)?(?: ?(?:[+-]\\d{4}|Z|UTC|GMT))?\\]? \\[(\\d+)\\] \\[(${LEVELS})\\] ?`;
const HEADER_RE = new RegExp(`^${HEADER_SOURCE}`);
const GLUED_RE = new RegExp(
  HEADER_SOURCE.replace("(\\d+)", "\\d+").replace(`(${LEVELS})`, `(?:${LEVELS})`),
  "g",
);
/** Custom formats that still carry `[pid] [LEVEL]` (or `[LEVEL]` alone) somewhere before the message. */
const LOOSE_RE = new RegExp(`(?:^|\\s)\\[(\\d+)\\] \\[(${LEVELS})\\] ?`);
const LEVEL_ONLY_RE = new RegExp(`^(?:\\S+ ){0,3}\\[(${LEVELS})\\] ?`);

function splitGlued(text: string): string[] {
  const first = text.indexOf("] [");
  if (
    first === -1 ||
    (HEADER_RE.test(text) && text.indexOf("] [", text.indexOf("] [", first + 3) + 3) === -1)
  )
    return [text];
  const starts: number[] = [];
  GLUED_RE.lastIndex = 0;
  for (let m = GLUED_RE.exec(text); m; m = GLUED_RE.exec(text)) {
    if (m.index > 0) starts.push(m.index);
    if (m[0].length === 0) GLUED_RE.lastIndex++;
    if (starts.length > 50) break;
  }
  if (starts.length === 0) return [text];
  const parts: string[] = [];
  let from = 0;
  for (const at of starts) {
    parts.push(text.slice(from, at));
    from = at;
  }
  parts.push(text.slice(from));
  return parts.filter((p) => p.trim().length > 0);
}

function readRecord(segment: string, outer: { stamp?: Stamp; service?: string; pid?: number }): LineRecord {
  let message = segment;
  let pid: number | undefined;
  let level: string | undefined;
  let stamp: Stamp | undefined;
  let headed = false;
  const h = HEADER_RE.exec(segment);
  if (h) {
    headed = true;
    pid = Number(h[1]);
    level = h[2]!;
    stamp = parseGunicornStamp(segment);
    message = segment.slice(h[0].length);
  } else {
    const loose = LOOSE_RE.exec(segment);
    if (loose) {
      headed = true;
      pid = Number(loose[1]);
      level = loose[2]!;
      message = segment.slice(loose.index + loose[0].length);
    } else {
      const levelOnly = LEVEL_ONLY_RE.exec(segment);
      if (levelOnly) {
        headed = true;
        level = levelOnly[1]!;
        message = segment.slice(levelOnly[0].length);
      }
    }
    if (headed) stamp = parseGunicornStamp(segment);
  }
  pid ??= outer.pid;
  stamp ??= outer.stamp;
  message = message.trimEnd();
  const stop = headed ? null : serviceManagerStop(message, outer.service);
  const match: MessageMatch | null = stop
    ? { type: "event", event: stop }
    : matchMessage(message, { headed, ...(pid === undefined ? {} : { pid }) });
  return {
    message,
    headed,
    match,
    ...(stamp ? { stamp } : {}),
    ...(pid === undefined ? {} : { pid }),
    ...(level === undefined ? {} : { level }),
    ...(outer.service === undefined ? {} : { service: outer.service }),
  };
}

/** Parses one raw line (any prefix, possibly several glued records); never throws. */
export function parseLine(raw: string): LineRecord[] {
  try {
    const text = raw.length > 100_000 ? raw.slice(0, 100_000) : raw;
    const outer = stripPrefixes(text);
    if (outer.text.trim().length === 0) return [];
    return splitGlued(outer.text).map((segment) => readRecord(segment, outer));
  } catch {
    return [];
  }
}
