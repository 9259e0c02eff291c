/**
 * Timestamps found in gunicorn logs and in the prefixes shippers add: gunicorn's default
 * `[2024-01-01 12:00:00 +0000]`, the ≤19.1 legacy `2024-01-01 12:00:00`, ISO 8601 from shippers, and
 * syslog / journald `Jan  2 15:04:05` (no year). Pure; never throws.
 */

export interface Stamp {
  /** ISO 8601, when the text carries a full date. */
  iso?: string;
  /** A number that orders stamps of one log (ms; year-less syslog stamps use year 2000). */
  key: number;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function keyOf(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  ms: number,
  offsetMin: number,
): number {
  return Date.UTC(y, mo - 1, d, h, mi, s, ms) - offsetMin * 60_000;
}

function offsetMinutes(zone: string | undefined): number {
  if (!zone || zone === "Z") return 0;
  const m = /^([+-])(\d\d):?(\d\d)$/.exec(zone);
  if (!m) return 0;
  const sign = m[1] === "-" ? -1 : 1;
  return sign * (Number(m[2]) * 60 + Number(m[3]));
}

/** A stamp from date and time parts; `zone` like `+0000`, `-04:00` or `Z`; undefined if out of range. */
export function makeStamp(date: string, time: string, fraction?: string, zone?: string): Stamp | undefined {
  const d = /^(\d{4})-(\d\d)-(\d\d)$/.exec(date);
  const t = /^(\d\d):(\d\d):(\d\d)$/.exec(time);
  if (!d || !t) return undefined;
  const y = Number(d[1]);
  const mo = Number(d[2]);
  const da = Number(d[3]);
  const h = Number(t[1]);
  const mi = Number(t[2]);
  const s = Number(t[3]);
  if (mo < 1 || mo > 12 || da < 1 || da > 31 || h > 23 || mi > 59 || s > 60) return undefined;
  const ms = fraction ? Math.floor(Number(`0.${fraction}`) * 1000) : 0;
  const off = offsetMinutes(zone);
  const zoneText = zone === undefined ? "" : zone === "Z" ? "Z" : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  const frac = fraction ? `.${fraction}` : "";
  return { iso: `${date}T${time}${frac}${zoneText}`, key: keyOf(y, mo, da, h, mi, s, ms, off) };
}

const ISO_RE = /^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(?:[.,](\d+))?(Z|[+-]\d\d:?\d\d)?/;

/** Parses an ISO 8601 timestamp at the start of `text`. */
export function parseIsoStamp(text: string): Stamp | undefined {
  const m = ISO_RE.exec(text);
  return m ? makeStamp(m[1]!, m[2]!, m[3], m[4]) : undefined;
}

/** Parses a syslog / journald `Mar  5 10:00:00` stamp (no year: `iso` is left unknown). */
export function parseSyslogStamp(text: string): Stamp | undefined {
  const m = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d\d):(\d\d):(\d\d)/.exec(text);
  if (!m) return undefined;
  const month = MONTHS.indexOf(m[1]!) + 1;
  if (month === 0) return undefined;
  return { key: keyOf(2000, month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), 0, 0) };
}

/** Gunicorn's own stamp, `[2024-01-01 12:00:00 +0000]` (19.2+) or `2024-01-01 12:00:00` (≤19.1). */
export function parseGunicornStamp(text: string): Stamp | undefined {
  const m = /^\[?(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:[.,](\d+))?(?: ([+-]\d{4}|Z|[A-Z]{3,4}))?\]?/.exec(
    text,
  );
  if (!m) return undefined;
  const zone =
    m[4] && /^[+-]\d{4}$|^Z$/.test(m[4]) ? m[4] : m[4] === "UTC" || m[4] === "GMT" ? "Z" : undefined;
  return makeStamp(m[1]!, m[2]!, m[3], zone);
}
