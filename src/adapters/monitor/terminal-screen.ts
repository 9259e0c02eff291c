/**
 * The monitor's screen on a TTY, hand-rolled (no ink): the alternate screen with the cursor hidden,
 * each frame written from the cursor home with every line cleared to its end and the rest of the
 * screen cleared after it (no full clear, so no flicker), keys read raw, and the terminal restored on
 * `q`, Ctrl-C, SIGTERM, SIGHUP, exit, or an error — once, whichever comes first.
 */
import { emitKeypressEvents } from "node:readline";
import { styleText } from "node:util";
import type { Painter } from "../../core/monitor/frame.js";
import { processShutdown } from "../platform/shutdown.js";

const ENTER = "\x1b[?1049h\x1b[?25l";
const LEAVE = "\x1b[?25h\x1b[?1049l";
const HOME = "\x1b[H";
const CLEAR_LINE_END = "\x1b[K";
const CLEAR_SCREEN_END = "\x1b[J";

export interface Screen {
  columns(): number;
  rows(): number;
  draw(frame: string): void;
  /** Leaves the alternate screen and gives the keyboard back (idempotent). */
  restore(): void;
}

export interface ScreenOptions {
  input?: NodeJS.ReadStream;
  output?: NodeJS.WriteStream;
  /** `q` or Ctrl-C. */
  onQuit: () => void;
  /** SIGTERM, SIGHUP or SIGINT (Ctrl-C when the keyboard is not raw): the terminal is already restored. */
  onSignal: (signal: NodeJS.Signals) => void;
  onResize?: () => void;
}

/** Takes over the terminal; call `restore()` when done (also done on exit and signals). */
export function openScreen(options: ScreenOptions): Screen {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  let restored = false;
  const onKey = (text: string | undefined, key: { name?: string; ctrl?: boolean } | undefined) => {
    if (text === "q" || text === "Q" || (key?.ctrl && key.name === "c")) options.onQuit();
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (restored) return;
    restore();
    options.onSignal(signal);
  };
  const shutdown = processShutdown();
  let releaseSignals: (() => void)[] = [];
  const onResize = () => options.onResize?.();
  function restore(): void {
    if (restored) return;
    restored = true;
    input.off("keypress", onKey);
    output.off("resize", onResize);
    process.off("exit", restore);
    for (const release of releaseSignals) release();
    releaseSignals = [];
    if (input.isTTY) input.setRawMode(false);
    input.pause();
    output.write(LEAVE);
  }
  output.write(ENTER);
  emitKeypressEvents(input);
  if (input.isTTY) input.setRawMode(true);
  input.on("keypress", onKey);
  input.resume();
  output.on("resize", onResize);
  process.on("exit", restore);
  releaseSignals = [shutdown.onStop(onSignal), shutdown.on("SIGHUP", () => onSignal("SIGHUP"))];
  return {
    columns: () => output.columns || 80,
    rows: () => output.rows || 24,
    draw(frame) {
      if (restored) return;
      output.write(
        `${HOME}${frame.split("\n").join(`${CLEAR_LINE_END}\r\n`)}${CLEAR_LINE_END}${CLEAR_SCREEN_END}`,
      );
    },
    restore,
  };
}

/** Whether to colour: a TTY, and neither NO_COLOR (any value) nor TERM=dumb. */
export function wantsColor(output: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  return output.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === "") && env.TERM !== "dumb";
}

/** The frame painter over node:util's styleText (colour already decided by `wantsColor`). */
export const styleTextPainter: Painter = (style, text) => styleText(style, text, { validateStream: false });
