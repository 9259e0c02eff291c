/**
 * The streaming log parser: feed raw lines one by one, get lifecycle events back. It joins what gunicorn
 * spreads over several lines (`Shutting down` + `Reason:`, `Exception in worker process` + traceback,
 * the HaltServer traceback), merges the doubled exit-code line of 21–23, and keeps one small state per
 * service so interleaved streams do not mix. Bounded memory; never throws.
 */
import type { GunicornEvent } from "../events/types.js";
import { parseLine, type LineRecord } from "./parse-line.js";

/** An event with the sortable key of its timestamp (when the line had one). */
export interface ParsedEvent {
  event: GunicornEvent;
  key?: number;
}

export interface LogParser {
  /** Feeds one raw line (no trailing newline); returns the events now complete. */
  feed(line: string): ParsedEvent[];
  /** Flushes what is still waiting for a continuation line. */
  end(): ParsedEvent[];
  /** The version of the latest `Starting gunicorn X`. */
  version(): string | undefined;
}

interface Pending {
  item: ParsedEvent;
  /** `pid`: an unprefixed AppImportError line takes the pid of the `Worker exiting` that follows it. */
  needs: "reason" | "exception" | "pid";
  waited: number;
}

interface ServiceState {
  pending?: Pending;
  orphanReason?: { reason: string; exitCode?: number; at: number };
  exitLines: Map<string, "plain" | "dotted">;
  lastCrashAt: number;
}

const MAX_SERVICES = 64;
const MAX_WAIT = 400;

function needsFor(event: GunicornEvent): Pending["needs"] | undefined {
  if (event.kind === "halt") return "reason";
  if (event.kind === "worker_boot_error" || event.kind === "logging_error" || event.kind === "master_crash")
    return "exception";
  if (event.kind === "app_load_error" && event.message === "Error while loading the application")
    return "exception";
  if (event.kind === "app_load_error" && event.pid === undefined) return "pid";
  return undefined;
}

function complete(pending: Pending, name: string, message: string): void {
  const e = pending.item.event;
  const text = message ? `${name}: ${message}` : name;
  if (e.kind === "worker_boot_error" || e.kind === "logging_error") e.message = text;
  else if (e.kind === "master_crash" || e.kind === "app_load_error") e.message = `${e.message}: ${text}`;
}

/** A fresh streaming parser. */
export function createLogParser(): LogParser {
  const services = new Map<string, ServiceState>();
  let lineNo = 0;
  let version: string | undefined;

  function stateOf(service: string): ServiceState {
    let s = services.get(service);
    if (!s) {
      if (services.size >= MAX_SERVICES) {
        const oldest = services.keys().next().value;
        if (oldest !== undefined) services.delete(oldest);
      }
      s = { exitLines: new Map(), lastCrashAt: -Infinity };
      services.set(service, s);
    }
    return s;
  }

  function flush(s: ServiceState, out: ParsedEvent[]): void {
    if (s.pending) out.push(s.pending.item);
    delete s.pending;
  }

  function handle(record: LineRecord, raw: string, out: ParsedEvent[]): void {
    const s = stateOf(record.service ?? "");
    const m = record.match;
    if (s.pending && ++s.pending.waited > MAX_WAIT) flush(s, out);
    if (!m) {
      if (record.headed && s.pending) flush(s, out);
      return;
    }
    if (m.type === "reason") {
      const halt = s.pending?.item.event;
      if (halt?.kind === "halt") {
        halt.reason = m.reason;
        if (m.exitCode !== undefined) halt.exitCode = m.exitCode;
        flush(s, out);
      } else {
        if (s.pending) flush(s, out);
        s.orphanReason = {
          reason: m.reason,
          at: lineNo,
          ...(m.exitCode === undefined ? {} : { exitCode: m.exitCode }),
        };
      }
      return;
    }
    if (m.type === "exception") {
      if (s.pending?.needs === "exception") {
        complete(s.pending, m.name, m.message);
        flush(s, out);
      }
      return;
    }
    if (m.type === "halt-server") {
      if (s.pending?.item.event.kind === "master_crash") {
        complete(s.pending, "HaltServer", `${m.reason} ${m.exitCode ?? ""}`.trim());
        flush(s, out);
        s.lastCrashAt = lineNo;
        return;
      }
      if (lineNo - s.lastCrashAt < 200) return;
      s.lastCrashAt = lineNo;
      if (s.pending) flush(s, out);
      const message = `HaltServer: ${m.reason}${m.exitCode === undefined ? "" : ` (exit ${m.exitCode})`}`;
      out.push(decorate({ kind: "master_crash", message, source: "log" }, record, raw));
      return;
    }
    const event = m.event;
    if (event.kind === "worker_exit_code" && m.exitLine && event.pid !== undefined) {
      const key = `${event.pid}:${event.code}`;
      const seen = s.exitLines.get(key);
      if (seen && seen !== m.exitLine) {
        s.exitLines.delete(key);
        return;
      }
      if (s.exitLines.size >= 256) s.exitLines.delete(s.exitLines.keys().next().value ?? "");
      s.exitLines.set(key, m.exitLine);
    }
    if (event.kind === "start") {
      if (event.version) version = event.version;
      s.exitLines.clear();
    }
    const waiting = s.pending;
    if (waiting?.needs === "pid" && event.kind === "worker_exit" && event.pid !== undefined)
      waiting.item.event.pid = event.pid;
    flush(s, out);
    const item = decorate(event, record, raw);
    if (event.kind === "halt" && s.orphanReason && lineNo - s.orphanReason.at <= 3) {
      event.reason = s.orphanReason.reason;
      if (s.orphanReason.exitCode !== undefined) event.exitCode = s.orphanReason.exitCode;
      delete s.orphanReason;
      out.push(item);
      return;
    }
    const needs = needsFor(event);
    if (needs) s.pending = { item, needs, waited: 0 };
    else out.push(item);
  }

  function decorate(event: GunicornEvent, record: LineRecord, raw: string): ParsedEvent {
    if (record.stamp?.iso) event.time = record.stamp.iso;
    if (record.service !== undefined) event.service = record.service;
    event.line = raw.length > 2000 ? `${raw.slice(0, 2000)}…` : raw;
    event.lineNo = lineNo;
    return record.stamp ? { event, key: record.stamp.key } : { event };
  }

  return {
    feed(line: string): ParsedEvent[] {
      lineNo++;
      const out: ParsedEvent[] = [];
      try {
        for (const record of parseLine(line)) handle(record, line, out);
      } catch {
        // A line that defeats the parser is skipped, never fatal.
      }
      return out;
    },
    end(): ParsedEvent[] {
      const out: ParsedEvent[] = [];
      for (const s of services.values()) flush(s, out);
      return out;
    },
    version: () => version,
  };
}

/** Parses a whole text (tests, small inputs). */
export function parseLog(text: string): GunicornEvent[] {
  const parser = createLogParser();
  const events: GunicornEvent[] = [];
  for (const line of text.split(/\r?\n/)) for (const p of parser.feed(line)) events.push(p.event);
  for (const p of parser.end()) events.push(p.event);
  return events;
}
