/**
 * The monitor's loop: read the source every interval, keep the events of the last minute, judge, and
 * draw — on a TTY as a live screen (until `q`), piped as plain snapshots (or one with `once`), with
 * `json` as one JSON view. A failed read keeps the last good data on screen and says why; a first read
 * that fails is the command's error. A reader that goes away (`monitor | head`) ends it quietly.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { GunicornEvent } from "../../core/events/types.js";
import { renderFrame } from "../../core/monitor/frame.js";
import { judge } from "../../core/monitor/verdict.js";
import { recentEvents, type MonitorView } from "../../core/monitor/view.js";
import type { MonitorSource, SourceReading } from "./source.js";
import { openScreen, styleTextPainter, wantsColor } from "./terminal-screen.js";

/** Events kept at most (the window is 60 s; this bounds a storm). */
const MAX_EVENTS = 500;
/** Width of plain snapshots when stdout is not a terminal and COLUMNS is not set. */
const PIPED_COLUMNS = 100;

export interface MonitorLoopOptions {
  source: MonitorSource;
  intervalMs: number;
  once: boolean;
  json: boolean;
  output?: NodeJS.WriteStream;
  input?: NodeJS.ReadStream;
  now?: () => Date;
}

/** Runs the monitor; resolves with the exit status. */
export async function runMonitor(options: MonitorLoopOptions): Promise<number> {
  const output = options.output ?? process.stdout;
  const now = options.now ?? (() => new Date());
  // EPIPE arrives as an 'error' event after the write; unhandled, it would crash with a stack trace
  const gone = new AbortController();
  const onError = (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") gone.abort();
    else process.stderr.write(`gwarden: cannot write the monitor's output: ${error.message}\n`);
  };
  output.on("error", onError);
  let events: GunicornEvent[] = [];
  let last: SourceReading | null = null;

  async function view(): Promise<MonitorView> {
    let error: string | null = null;
    try {
      last = await options.source.read();
      events = [...events, ...last.events].slice(-MAX_EVENTS);
    } catch (caught) {
      if (last === null) throw caught;
      error = caught instanceof Error ? caught.message : String(caught);
    }
    const at = now().toISOString();
    events = recentEvents(events, at);
    const reading = last;
    return {
      mode: options.source.mode,
      target: options.source.target,
      now: at,
      snapshot: reading.snapshot,
      cpu: reading.cpu,
      events,
      verdict: judge(reading.snapshot, events),
      error,
    };
  }

  if (options.json || options.once) {
    // two looks, so CPU percentages exist
    await view();
    await sleep(Math.min(options.intervalMs, 1000));
  }
  if (options.json) {
    output.write(`${JSON.stringify(await view())}\n`);
    return 0;
  }
  if (!output.isTTY || options.once) {
    const columns = Number(process.env.COLUMNS) || output.columns || PIPED_COLUMNS;
    const plain = { columns, rows: 1000, color: null, interactive: false };
    for (;;) {
      output.write(`${renderFrame(await view(), plain)}\n\n`);
      if (options.once) return 0;
      try {
        await sleep(options.intervalMs, undefined, { signal: gone.signal });
      } catch {
        return 0;
      }
    }
  }
  return live(view, options, output);
}

async function live(
  view: () => Promise<MonitorView>,
  options: MonitorLoopOptions,
  output: NodeJS.WriteStream,
): Promise<number> {
  const first = await view();
  const stop = new AbortController();
  let code = 0;
  let latest = first;
  const color = wantsColor(output) ? styleTextPainter : null;
  const draw = () =>
    screen.draw(renderFrame(latest, { columns: screen.columns(), rows: screen.rows(), color }));
  const screen = openScreen({
    ...(options.input ? { input: options.input } : {}),
    output,
    onQuit: () => stop.abort(),
    onSignal: (signal) => {
      code =
        128 + ({ SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as Partial<Record<NodeJS.Signals, number>>)[signal]!;
      stop.abort();
    },
    onResize: () => draw(),
  });
  try {
    draw();
    while (!stop.signal.aborted) {
      try {
        await sleep(options.intervalMs, undefined, { signal: stop.signal });
      } catch {
        break;
      }
      latest = await view();
      draw();
    }
  } finally {
    screen.restore();
  }
  return code;
}
