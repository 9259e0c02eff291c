/**
 * `/proc/<pid>/stat`: one line, fields separated by spaces, the second being `(comm)`. comm is the
 * executable name as the process set it and may itself contain spaces and parentheses, so the fields
 * are read after the LAST `)` (proc(5)).
 */

export interface ProcStat {
  pid: number;
  comm: string;
  /** One letter: R running, S sleeping, D disk sleep, Z zombie, T stopped, I idle, X dead, ... */
  state: string;
  ppid: number;
  /** CPU time in user mode, in clock ticks (USER_HZ, 100 on mainstream Linux). */
  utimeTicks: number;
  /** CPU time in kernel mode, in clock ticks. */
  stimeTicks: number;
  numThreads: number;
  /** Start time after boot, in clock ticks. */
  startTimeTicks: number;
  vsizeBytes: number;
  /** Resident set size in pages (multiply by the page size). */
  rssPages: number;
}

/** A state letter (stat's or status's) of a process that has ended: a zombie until it is reaped, or dead. */
export function hasEnded(state: string | null): boolean {
  return state === "Z" || state === "X";
}

// Indexes into the fields after ") " (field 3 of proc(5), `state`, is index 0).
const STATE = 0;
const PPID = 1;
const UTIME = 11;
const STIME = 12;
const NUM_THREADS = 17;
const STARTTIME = 19;
const VSIZE = 20;
const RSS = 21;

/** Parses `/proc/<pid>/stat`; null when the text is not a stat line. Never throws. */
export function parseProcStat(text: string): ProcStat | null {
  const open = text.indexOf(" (");
  const close = text.lastIndexOf(")");
  if (open <= 0 || close < open) return null;
  const pid = toInt(text.slice(0, open));
  const rest = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const state = rest[STATE];
  if (pid === null || state === undefined || !/^[A-Za-z]$/.test(state)) return null;
  const ppid = toInt(rest[PPID]);
  const utime = toInt(rest[UTIME]);
  const stime = toInt(rest[STIME]);
  const threads = toInt(rest[NUM_THREADS]);
  const start = toInt(rest[STARTTIME]);
  const vsize = toInt(rest[VSIZE]);
  const rss = toInt(rest[RSS]);
  if (
    ppid === null ||
    utime === null ||
    stime === null ||
    threads === null ||
    start === null ||
    vsize === null ||
    rss === null
  ) {
    return null;
  }
  return {
    pid,
    comm: text.slice(open + 2, close),
    state,
    ppid,
    utimeTicks: utime,
    stimeTicks: stime,
    numThreads: threads,
    startTimeTicks: start,
    vsizeBytes: vsize,
    rssPages: rss,
  };
}

function toInt(field: string | undefined): number | null {
  if (field === undefined || !/^-?\d+$/.test(field)) return null;
  const value = Number(field);
  return Number.isSafeInteger(value) ? value : null;
}
