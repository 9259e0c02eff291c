/**
 * The analysis pipeline behind `gwarden analyze`: parsed events in (streamed), a report out. Memory is
 * bounded: counts cover every event, but only the first and last `maxEvents / 2` events are kept for the
 * timeline, classification and findings. Newest-first logs (consoles that print the latest line on top)
 * are detected from their timestamps and put back in order.
 */
import { createClassifier } from "../events/classify.js";
import { foldEvent, initialLifecycle, type MasterState, type WorkerState } from "../events/lifecycle.js";
import type { GunicornEvent } from "../events/types.js";
import { createLogParser, type ParsedEvent } from "../log/log-parser.js";
import { createAggregates, type Aggregates } from "./aggregates.js";
import type { Finding, FindingInput } from "./finding.js";
import { findFindings } from "./findings.js";

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

const DEFAULT_MAX_EVENTS = 100_000;

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

  return {
    add(parsed) {
      counts.count(parsed.event);
      if (parsed.key !== undefined) {
        if (lastKey !== undefined && parsed.key > lastKey) rising++;
        if (lastKey !== undefined && parsed.key < lastKey) falling++;
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
      const order: LogOrder = rising + falling < 2 ? "unknown" : falling > 2 * rising ? "newest-first" : "oldest-first";
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
  const classifier = createClassifier();
  const aggregates = createAggregates();
  let state = initialLifecycle();
  const events: GunicornEvent[] = [];
  const hardDeaths: Array<FindingInput["hardDeaths"][number]> = [];
  const hups: Array<{ index: number; before: number; peak: number }> = [];
  let version = meta.version;
  for (const { event, key } of kept) {
    const classified = classifier.classify(event, key);
    const index = events.length;
    events.push(classified);
    aggregates.observe(classified);
    const before = state;
    state = foldEvent(state, classified);
    if (classified.kind === "start" && classified.version) version = classified.version;
    if (state.hardDeaths > before.hardDeaths && state.lastHardDeath && hardDeaths.length < 1000) {
      hardDeaths.push({ index, death: state.lastHardDeath });
    }
    if (classified.kind === "master_signal" && classified.signal === "hup" && hups.length < 1000) {
      hups.push({ index, before: before.workers.size, peak: state.workers.size });
    }
    const hup = hups[hups.length - 1];
    if (hup && state.master.phase === "reloading") hup.peak = Math.max(hup.peak, state.workers.size);
  }
  const notes: string[] = [];
  if (meta.order === "newest-first") notes.push("The log is newest-first (timestamps decrease); it was put back in order.");
  if (meta.dropped > 0) notes.push(`${meta.dropped} events from the middle of the log were left out of the timeline; counts include them.`);
  if (events.length === 0) notes.push("No gunicorn lifecycle lines were found.");
  const findings = findFindings({ events, hardDeaths, hups, ...(version === undefined ? {} : { version }) });
  return {
    gunicornVersion: version ?? null,
    events,
    findings,
    aggregates: { ...aggregates.result(), counts: meta.counts },
    order: meta.order,
    droppedEvents: meta.dropped,
    final: { master: state.master, workers: [...state.workers.values()] },
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
