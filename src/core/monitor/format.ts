/** Fixed-width text helpers of the terminal frame: sizes, ages, padding, and control-character scrubbing. */

const KiB = 1024;
const MiB = KiB * 1024;
const GiB = MiB * 1024;

/** `812 KiB`, `45.2 MiB`, `1.50 GiB`, `—` when unknown. */
export function bytes(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  if (value >= GiB) return `${(value / GiB).toFixed(2)} GiB`;
  if (value >= 100 * MiB) return `${Math.round(value / MiB)} MiB`;
  if (value >= MiB) return `${(value / MiB).toFixed(1)} MiB`;
  return `${Math.round(value / KiB)} KiB`;
}

/** `42s`, `5m`, `3h12m`, `2d4h`; `—` when unknown. */
export function age(fromIso: string | null | undefined, nowIso: string): string {
  const from = fromIso ? Date.parse(fromIso) : NaN;
  const now = Date.parse(nowIso);
  if (!Number.isFinite(from) || !Number.isFinite(now)) return "—";
  const s = Math.max(0, Math.floor((now - from) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
  return `${Math.floor(s / 86400)}d${Math.floor((s % 86400) / 3600)}h`;
}

/** A number with fixed decimals, `—` when unknown. */
export function num(value: number | null | undefined, decimals = 0): string {
  return value === null || value === undefined || !Number.isFinite(value) ? "—" : value.toFixed(decimals);
}

/** Replaces control characters (ESC, CR, ...) so a log line cannot drive the terminal. */
export function scrub(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, "?");
}

/** Cuts to `width` characters (with `…` when cut) and pads to exactly `width`. */
export function fit(text: string, width: number): string {
  if (width <= 0) return "";
  const chars = [...text];
  if (chars.length > width) return `${chars.slice(0, Math.max(0, width - 1)).join("")}…`;
  return text + " ".repeat(width - chars.length);
}

/** Right-aligns in `width` (cutting from the left would lie about numbers, so it cuts like `fit`). */
export function right(text: string, width: number): string {
  const length = [...text].length;
  return length >= width ? fit(text, width) : " ".repeat(width - length) + text;
}

/** Cuts from the left to `width` characters (`…tail`): the end of a path says the most. */
export function fitTail(text: string, width: number): string {
  const chars = [...text];
  if (width <= 0) return "";
  return chars.length <= width ? text : `…${chars.slice(chars.length - (width - 1)).join("")}`;
}

/**
 * Word-wraps `text` into lines of at most `width` characters, the first starting with `first` and the
 * others with `rest` (both narrower than `width`). A word longer than a line is cut into pieces.
 */
export function wrap(text: string, width: number, first: string, rest: string): string[] {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  const room = () => width - [...(lines.length === 0 ? first : rest)].length;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const sep = empty ? "" : " ";
    if ([...line].length + sep.length + [...word].length <= width) {
      line += sep + word;
      empty = false;
      continue;
    }
    if (!empty) lines.push(line);
    let chars = [...word];
    line = lines.length === 0 ? first : rest;
    while (chars.length > room()) {
      lines.push(line + chars.slice(0, room()).join(""));
      chars = chars.slice(room());
      line = rest;
    }
    line += chars.join("");
    empty = false;
  }
  lines.push(line);
  return lines;
}
