/**
 * The analysis pipeline behind `gwarden analyze`: parsed events in (streamed), a report out. Memory is
 * bounded: counts cover every event, but only the first and last `maxEvents / 2` events are kept for the
 * timeline, classification and findings. Newest-first logs (consoles that print the latest line on top)
 * are detected from their timestamps and put back in order.
 */
import type { MasterState, WorkerState } from "../events/lifecycle.js";
import type { GunicornEvent } from "../events/types.js";
import { createLogParser, type ParsedEvent } from "../log/log-parser.js";
import { createAggregates, type Aggregates } from "./aggregates.js";
import type { Finding } from "./finding.js";
import { replay } from "./replay.js";

export type LogOrder = "oldest-first" | "newest-first" | "unknown";

export interface AnalysisReport {
  gunicornVersion: string | null;
  events: GunicornEvent[];
  findings: Finding[];
  aggregates: Aggregates;
  order: LogOrder;
  /** Events left out of `events` (the middle of a huge log); counts still include them. */
  droppedEvents: number;
  /** The state at the end of the log. */
  final: { master: MasterState; workers: WorkerState[] };
  notes: string[];
}

export interface Analysis {
  /** Adds one parsed event (in input order). */
  add(parsed: ParsedEvent): void;
  /** Records the gunicorn version a parser saw. */
  version(version: string | undefined): void;
  finish(): AnalysisReport;
}

const DEFAULT_MAX_EVENTS = 50_000;
const COMPARABLE_MS = 180 * 86_400_000;

/** A fresh analysis; `maxEvents` bounds the events kept in memory. */
export function createAnalysis(options: { maxEvents?: number } = {}): Analysis {
  const half = Math.max(1, Math.floor((options.maxEvents ?? DEFAULT_MAX_EVENTS) / 2));
  const head: ParsedEvent[] = [];
  let tail: ParsedEvent[] = [];
  let dropped = 0;
  let lastKey: number | undefined;
  let rising = 0;
  let falling = 0;
  let version: string | undefined;
  const counts = createAggregates();
  // Without timestamps, order shows in each pid's story: a death logged before its boot means newest-first.
  const story = new Map<number, "boot" | "end">();
  let forward = 0;
  let backward = 0;
  const vote = (e: ParsedEvent["event"]): void => {
    if (e.pid === undefined) return;
    const isBoot = e.kind === "worker_boot";
    const isEnd = e.kind === "worker_exit" || e.kind === "worker_exit_code" || e.kind === "worker_signal";
    if (!isBoot && !isEnd) return;
    const seen = story.get(e.pid);
    if (seen === (isBoot ? "end" : "boot")) {
      if (isBoot) backward++;
      else forward++;
      story.delete(e.pid);
      return;
    }
    if (story.size >= 4096) story.delete(story.keys().next().value ?? -1);
    story.set(e.pid, isBoot ? "boot" : "end");
  };

  return {
    add(parsed) {
      counts.count(parsed.event);
      vote(parsed.event);
      if (parsed.key !== undefined) {
        // Jumps of months are stamps from another clock (year-less syslog), not an order.
        const comparable = lastKey !== undefined && Math.abs(parsed.key - lastKey) < COMPARABLE_MS;
        if (comparable && parsed.key > lastKey!) rising++;
        if (comparable && parsed.key < lastKey!) falling++;
        lastKey = parsed.key;
      }
      if (head.length < half) head.push(parsed);
      else {
        tail.push(parsed);
        if (tail.length >= 2 * half) {
          dropped += tail.length - half;
          tail = tail.slice(-half);
        }
      }
    },
    version(v) {
      if (v !== undefined) version = v;
    },
    finish() {
      if (tail.length > half) {
        dropped += tail.length - half;
        tail = tail.slice(-half);
      }
      const order: LogOrder =
        rising + falling >= 2
          ? falling > 2 * rising
            ? "newest-first"
            : "oldest-first"
          : backward + forward >= 2
            ? backward > forward
              ? "newest-first"
              : "oldest-first"
            : "unknown";
      const kept = [...head, ...tail];
      if (order === "newest-first") kept.reverse();
      return report(kept, { order, dropped, version, counts: counts.result().counts });
    },
  };
}

function report(
  kept: ParsedEvent[],
  meta: { order: LogOrder; dropped: number; version: string | undefined; counts: Record<string, number> },
): AnalysisReport {
  const replayed = replay(kept);
  const version = replayed.version ?? meta.version;
  const notes: string[] = [];
  if (meta.order === "newest-first")
    notes.push("The log is newest-first (timestamps decrease); it was put back in order.");
  if (meta.dropped > 0)
    notes.push(
      `${meta.dropped} events from the middle of the log were left out of the timeline; counts include them.`,
    );
  if (replayed.events.length === 0) notes.push("No gunicorn lifecycle lines were found.");
  return {
    gunicornVersion: version ?? null,
    events: replayed.events,
    findings: replayed.findings,
    aggregates: { ...replayed.aggregates, counts: meta.counts },
    order: meta.order,
    droppedEvents: meta.dropped,
    final: { master: replayed.final.master, workers: [...replayed.final.workers.values()] },
    notes,
  };
}

/** Analyzes a whole text at once (tests, small inputs). */
export function analyzeText(text: string, options: { maxEvents?: number } = {}): AnalysisReport {
  const parser = createLogParser();
  const analysis = createAnalysis(options);
  for (const line of text.split(/\r?\n/)) for (const p of parser.feed(line)) analysis.add(p);
  for (const p of parser.end()) analysis.add(p);
  analysis.version(parser.version());
  return analysis.finish();
}
