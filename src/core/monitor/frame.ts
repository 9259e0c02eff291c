/**
 * `renderFrame(view, { columns, rows, color })`: the whole terminal screen as text, one line per row,
 * no line wider than `columns` and no more than `rows` lines. Header (target, verdict, the box's memory,
 * PSI, CPU quota, a memory bar against the limit), the worker table, the events of the last minute,
 * and the verdict's reasons and recommendations. Colour goes through an injected painter, applied after
 * measuring, so widths never count escape codes; without one the frame is plain text.
 */
import { clock } from "../analyze/describe.js";
import type { GunicornEvent } from "../events/types.js";
import { countWorkers, type SupervisorSnapshot, type WorkerSnapshot } from "../snapshot/snapshot.js";
import { eventText } from "./event-text.js";
import { age, bytes, fit, fitTail, num, right, scrub, wrap } from "./format.js";
import type { MonitorView } from "./view.js";
import type { VerdictLevel } from "./verdict.js";

export type Style = "bold" | "dim" | "red" | "green" | "yellow" | "cyan" | "inverse";

/** Wraps text in a style (the adapter passes node:util's styleText; tests a readable fake). */
export type Painter = (style: Style, text: string) => string;

export interface FrameOptions {
  columns: number;
  rows: number;
  /** Null or absent: no colour (NO_COLOR, not a TTY). */
  color?: Painter | null;
  /** A live screen that reads keys (default true); plain snapshots do not offer `q quit`. */
  interactive?: boolean;
}

const LEVEL_STYLE: Record<VerdictLevel, Style> = { healthy: "green", degraded: "yellow", failing: "red" };

/** Renders one screen of the monitor. */
export function renderFrame(view: MonitorView, options: FrameOptions): string {
  const columns = Math.max(20, Math.floor(options.columns));
  const rows = Math.max(8, Math.floor(options.rows));
  const paint: Painter = options.color ?? ((_style, text) => text);
  const line = (text: string, style?: Style): string =>
    style ? paint(style, fit(text, columns).trimEnd()) : fit(text, columns).trimEnd();

  const header = headerLines(view, columns, paint);
  const footer = [
    line(
      `${options.interactive === false ? "" : "q quit · "}${view.mode === "api" ? "gwarden run API" : "attached to the master by pid (/proc)"}${view.error ? ` · ${view.error}` : ""}`,
      view.error ? "red" : "dim",
    ),
  ];
  const budget = rows - header.length - footer.length;
  const workerRows = workerLines(view.snapshot, view.now, columns, paint);
  const eventRows = eventLines(view.events, columns, paint);
  // the verdict gets a third of the rows, or every row the workers and events leave free
  const verdictRoom = Math.max(1, Math.floor(budget / 3), budget - workerRows.length - eventRows.length);
  const verdictShown = verdictLines(view, columns, paint, verdictRoom);
  const left = budget - verdictShown.length;
  const eventsMin = Math.min(1 + view.events.length, 4);
  const workersShown = clip(workerRows, Math.max(2, left - eventsMin), (hidden) =>
    line(`  … ${hidden} more worker${hidden > 1 ? "s" : ""}`, "dim"),
  );
  const eventsShown = clipTail(eventRows, left - workersShown.length);
  return [...header, ...workersShown, ...eventsShown, ...verdictShown, ...footer].slice(0, rows).join("\n");
}

function headerLines(view: MonitorView, columns: number, paint: Painter): string[] {
  const s = view.snapshot;
  const level = view.verdict.level.toUpperCase();
  const title = `gwarden monitor · ${scrub(view.target)} · ${clock(view.now)}`;
  const badge = `● ${level}`;
  const titleWidth = Math.max(0, columns - badge.length - 1);
  const first = `${paint("bold", fit(title, titleWidth))} ${paint(LEVEL_STYLE[view.verdict.level], badge)}`;
  const counts = countWorkers(s.workers);
  const master =
    s.master.state === "running"
      ? `master ${s.master.pid} up ${age(s.master.startedAt, view.now)}`
      : s.master.state === "down"
        ? `master DOWN: ${scrub(s.master.reason)}`
        : `master ${s.master.state}`;
  const plan = s.plan
    ? ` · plan ${s.plan.workers}×${s.plan.workerClass}${s.plan.threads > 1 ? `×${s.plan.threads}` : ""} timeout ${s.plan.timeout}s`
    : "";
  const second = fit(
    `${master} · workers ${s.workers.length} (${counts.ready} ready, ${counts.busy} busy, ${counts.booting} booting)${plan}`,
    columns,
  ).trimEnd();
  const [memory, pressure] = boxParts(view);
  const box = columns >= 140 ? [`${memory} · ${pressure}`] : [memory, pressure];
  box[0] = withGroup(box[0]!, s.cgroup?.path, columns);
  return [first, second, memoryBar(s, columns, paint), ...box.map((text) => fit(text, columns).trimEnd())];
}

/** ` · cgroup …/tail` after `text`, in what the line has left (the end of the path names the group). */
function withGroup(text: string, path: string | null | undefined, columns: number): string {
  if (path === undefined) return text;
  const label = path === null ? " · host memory (no cgroup)" : " · cgroup ";
  const room = columns - [...text].length - [...label].length;
  if (path === null) return room >= 0 ? text + label : text;
  const cut = fitTail(scrub(path), room);
  // cut at a path separator: `…/app.service`, not `…ice/app.service`
  const shown = cut.startsWith("…") && cut.includes("/") ? `…${cut.slice(cut.indexOf("/"))}` : cut;
  return room >= 12 ? `${text}${label}${shown}` : text;
}

function boxParts(view: MonitorView): [string, string] {
  const c = view.snapshot.cgroup;
  const p = c?.memoryPressure;
  const psi = p
    ? `PSI mem some ${p.some.avg10.toFixed(1)}% full ${(p.full?.avg10 ?? 0).toFixed(1)}%`
    : "PSI —";
  const cpu =
    view.cpu === null
      ? "CPU —"
      : view.cpu.quota === null
        ? `CPU no quota (${num(view.cpu.effective, 1)} usable)`
        : `CPU quota ${num(view.cpu.quota, 2)}`;
  const b = view.snapshot.backlog;
  const backlog = b && b.queued !== null ? ` · backlog ${b.queued}/${b.max ?? "?"}` : "";
  const oom = c?.oomKills ? ` · OOM kills ${c.oomKills}` : "";
  return [
    `limit ${c?.limitBytes === null || c === null ? "none" : bytes(c.limitBytes)} · usage ${bytes(c?.usageBytes)} · working set ${bytes(c?.workingSetBytes)}${c?.swapUsageBytes === null || c?.swapUsageBytes === undefined ? "" : ` · swap ${bytes(c.swapUsageBytes)}`}`,
    `${psi} · ${cpu}${backlog}${oom}`,
  ];
}

/** `memory [████████▒▒░░░░░░░░] 150 MiB / 512 MiB 29%`: working set █, rest of usage ▒, free ░. */
function memoryBar(s: SupervisorSnapshot, columns: number, paint: Painter): string {
  const c = s.cgroup;
  const limit = c?.limitBytes ?? null;
  const ws = c?.workingSetBytes ?? c?.usageBytes ?? null;
  if (limit === null || ws === null || limit <= 0)
    return fit(`memory  no cgroup limit · usage ${bytes(c?.usageBytes)}`, columns).trimEnd();
  const ratio = ws / limit;
  const tail = ` ${bytes(ws)} / ${bytes(limit)} ${Math.round(ratio * 100)}%`;
  const width = Math.max(10, columns - "memory [".length - "]".length - tail.length);
  const full = Math.min(width, Math.round(ratio * width));
  const cache = Math.min(
    width - full,
    Math.max(0, Math.round(((c?.usageBytes ?? ws) / limit) * width) - full),
  );
  const style: Style = ratio >= 0.95 ? "red" : ratio >= 0.85 ? "yellow" : "green";
  const bar =
    paint(style, "█".repeat(full)) + paint("dim", "▒".repeat(cache) + "░".repeat(width - full - cache));
  return `memory [${bar}]${tail}`;
}

interface Column {
  title: string;
  width: number;
  align: "left" | "right";
  cell: (w: WorkerSnapshot, now: string) => string;
}

const BASE_COLUMNS: Column[] = [
  { title: "PID", width: 8, align: "right", cell: (w) => String(w.pid) },
  { title: "STATE", width: 9, align: "left", cell: (w) => w.state },
  { title: "AGE", width: 7, align: "right", cell: (w, now) => age(w.bootedAt, now) },
  { title: "REQS", width: 7, align: "right", cell: (w) => num(w.requests) },
  { title: "CPU%", width: 7, align: "right", cell: (w) => num(w.cpuPercent, 1) },
  { title: "RSS", width: 11, align: "right", cell: (w) => bytes(w.memory.rss) },
  { title: "USS", width: 11, align: "right", cell: (w) => bytes(w.memory.uss) },
];

const WIDE_COLUMNS: Column[] = [
  { title: "PSS", width: 11, align: "right", cell: (w) => bytes(w.memory.pss) },
  { title: "SWAP", width: 10, align: "right", cell: (w) => bytes(w.memory.swap) },
  { title: "CPU s", width: 9, align: "right", cell: (w) => num(w.cpuSeconds, 1) },
];

function workerLines(s: SupervisorSnapshot, now: string, columns: number, paint: Painter): string[] {
  const cols = columns >= 100 ? [...BASE_COLUMNS, ...WIDE_COLUMNS] : BASE_COLUMNS;
  const row = (cells: string[]) =>
    cols
      .map((c, i) => (c.align === "right" ? right(cells[i]!, c.width) : ` ${fit(cells[i]!, c.width - 1)}`))
      .join("");
  const head = paint("inverse", fit(row(cols.map((c) => c.title)), columns));
  if (s.workers.length === 0) return [head, fit("  no workers", columns).trimEnd()];
  const stateStyle: Record<WorkerSnapshot["state"], Style | null> = {
    ready: null,
    busy: "cyan",
    booting: "yellow",
    exiting: "red",
  };
  return [
    head,
    ...s.workers.map((w) => {
      const text = fit(row(cols.map((c) => c.cell(w, now))), columns).trimEnd();
      const style = stateStyle[w.state];
      return style ? paint(style, text) : text;
    }),
  ];
}

function eventLines(events: readonly GunicornEvent[], columns: number, paint: Painter): string[] {
  const title = paint("bold", fit(`events, last 60 s (${events.length})`, columns).trimEnd());
  if (events.length === 0) return [title, fit("  none", columns).trimEnd()];
  return [
    title,
    ...events.map((e) => {
      const text = fit(
        `  ${clock(e.time)} ${right(e.pid === undefined ? "" : String(e.pid), 7)} ${fit(e.source, 10)} ${scrub(eventText(e))}`,
        columns,
      ).trimEnd();
      const bad =
        e.kind === "worker_signal" ||
        e.kind === "worker_timeout" ||
        e.kind === "boot_deadline_kill" ||
        e.kind === "halt" ||
        e.kind === "master_crash" ||
        e.kind === "app_load_error";
      return bad ? paint("red", text) : text;
    }),
  ];
}

/** The verdict in at most `room` lines: wrapped whole when it fits, else one cut line per item, shortened. */
function verdictLines(view: MonitorView, columns: number, paint: Painter, room: number): string[] {
  const v = view.verdict;
  const head = paint(
    LEVEL_STYLE[v.level],
    fit(
      `verdict: ${v.level}${v.reasons.length === 0 ? " (master running, workers up, memory within the limit)" : ""}`,
      columns,
    ).trimEnd(),
  );
  const wrapped = [
    head,
    ...v.reasons.flatMap((r) => wrap(scrub(r), columns, "  ! ", "    ")),
    ...v.recommendations.flatMap((r) => wrap(scrub(r), columns, "  → ", "    ").map((l) => paint("dim", l))),
  ];
  if (wrapped.length <= room) return wrapped;
  const reasons = v.reasons.map((r) => fit(`  ! ${scrub(r)}`, columns).trimEnd());
  const recs = v.recommendations.map((r) => paint("dim", fit(`  → ${scrub(r)}`, columns).trimEnd()));
  return shortenVerdict([head, ...reasons, ...recs], reasons.length, room);
}

/** The verdict in `max` lines: the head, then reasons and recommendations shortened alike. */
function shortenVerdict(lines: string[], reasons: number, max: number): string[] {
  if (lines.length <= max) return lines;
  const room = Math.max(0, max - 1);
  const r = Math.min(reasons, Math.max(room > 1 ? 1 : room, Math.ceil(room / 2)));
  return [lines[0]!, ...lines.slice(1, 1 + r), ...lines.slice(1 + reasons, 1 + reasons + room - r)];
}

/** The first `max` lines; when cut, the last shown line says how many are hidden. */
function clip(lines: string[], max: number, more: (hidden: number) => string): string[] {
  if (lines.length <= max) return lines;
  const keep = Math.max(1, max - 1);
  return [...lines.slice(0, keep), more(lines.length - keep)];
}

/** The title and the newest lines that fit. */
function clipTail(lines: string[], max: number): string[] {
  if (max <= 0) return [];
  if (lines.length <= max) return lines;
  return [lines[0]!, ...lines.slice(lines.length - (max - 1))];
}
