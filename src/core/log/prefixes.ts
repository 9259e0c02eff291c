/**
 * The prefixes that log shippers and terminals put in front of gunicorn's lines: Kubernetes JSON lines
 * and CRI, Heroku, syslog (RFC 5424 and 3164 relays), journald (short and short-iso), docker compose
 * `service  | `, a markdown quote `> `, a box-drawing `│ `, ANSI colours. Stripped repeatedly, in any
 * nesting; what they say (time, service, pid) is kept. Pure; never throws.
 */
import { parseGunicornStamp, parseIsoStamp, parseSyslogStamp, type Stamp } from "./timestamp.js";

export interface Stripped {
  /** The text after every recognised prefix. */
  text: string;
  stamp?: Stamp;
  service?: string;
  /** The pid a syslog/journald tag names (`gunicorn[123]:`), i.e. the emitting process. */
  pid?: number;
}

// eslint-disable-next-line no-control-regex
const ANSI_RE = /\u001b\[[0-9;?]*[A-Za-z]/g;
const CRI_RE = /^(\d{4}-\d\d-\d\dT\S+) (?:stdout|stderr) [FP] /;
const HEROKU_RE = /^(\d{4}-\d\d-\d\dT\S+) (?:app|heroku)\[([\w.-]+)\]: /;
const RFC5424_RE = /^<\d{1,3}>1 (\S+) \S+ (\S+) (\S+) \S+ (?:-|(?:\[[^\]]*\])+) /;
/** RFC 3164 and journald: short, short-precise, short-iso, short-full, short-unix; then host and tag. */
const SYSLOG_RE =
  /^(?:<\d{1,3}>)?((?:[A-Z][a-z]{2} )?[A-Z][a-z]{2} +\d{1,2} \d\d:\d\d:\d\d(?:\.\d+)?|(?:[A-Z][a-z]{2} )?\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d\S*(?: [A-Z]{2,5})?|\d{9,10}\.\d+) (\S+) ([^\s[:]+)(?:\[(\d+)\])?: /;
/** A bare tag, as `journalctl -o with-unit` or relays print it: `gunicorn[123]: `. */
const TAG_RE = /^([A-Za-z][\w.-]*)\[(\d+)\]: /;
/** docker compose `web-1  | `, swarm `web.1.abc@node    | `. */
const COMPOSE_RE = /^([A-Za-z0-9][\w.@-]*)\s*\| ?/;
/** `kubectl logs --prefix`: `[pod/web-6d4f/web] `. */
const KUBECTL_RE = /^\[pod\/([^\]/\s]+)\/[^\]\s]+\] /;
const SHIPPER_ISO_RE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d))\s+/;
const DECOR_RE = /^(?:\s*(?:>|│|┃|║|\|)(?: |$))+/;

function fromJson(text: string): Stripped | undefined {
  if (!text.startsWith("{") || !/"(?:log|message|msg)"/.test(text)) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null) return undefined;
    const record = value as Record<string, unknown>;
    // Kubernetes/docker JSON lines carry `log`; JSON formatters (python-json-logger) `message` or `msg`.
    const log = [record["log"], record["message"], record["msg"]].find(
      (v): v is string => typeof v === "string",
    );
    if (log === undefined) return undefined;
    const time = [record["time"], record["timestamp"], record["asctime"], record["@timestamp"]].find(
      (v): v is string => typeof v === "string",
    );
    const stamp = time === undefined ? undefined : (parseIsoStamp(time) ?? parseGunicornStamp(time));
    const pid = [record["process"], record["pid"]].find(
      (v): v is number => typeof v === "number" && Number.isInteger(v) && v > 0,
    );
    return {
      text: log.replace(/\r?\n$/, ""),
      ...(stamp ? { stamp } : {}),
      ...(pid === undefined ? {} : { pid }),
    };
  } catch {
    return undefined;
  }
}

function pidOf(text: string | undefined): number | undefined {
  return text !== undefined && /^\d{1,9}$/.test(text) ? Number(text) : undefined;
}

/** One prefix off the front of `text`, or undefined when there is none. */
function stripOne(text: string): Stripped | undefined {
  const json = fromJson(text);
  if (json) return json;
  let m = CRI_RE.exec(text);
  if (m) return { text: text.slice(m[0].length), ...stampPart(parseIsoStamp(m[1]!)) };
  m = HEROKU_RE.exec(text);
  if (m) return { text: text.slice(m[0].length), service: m[2]!, ...stampPart(parseIsoStamp(m[1]!)) };
  m = RFC5424_RE.exec(text);
  if (m)
    return {
      text: text.slice(m[0].length),
      service: m[2]!,
      ...pidPart(pidOf(m[3])),
      ...stampPart(parseIsoStamp(m[1]!)),
    };
  m = SYSLOG_RE.exec(text);
  if (m) {
    const when = m[1]!.replace(/^[A-Z][a-z]{2} (?=\d{4}|[A-Z])/, "");
    const stamp = /^\d{4}/.test(when)
      ? parseIsoStamp(when)
      : /^\d/.test(when)
        ? undefined
        : parseSyslogStamp(when);
    return { text: text.slice(m[0].length), service: m[3]!, ...pidPart(pidOf(m[4])), ...stampPart(stamp) };
  }
  m = KUBECTL_RE.exec(text);
  if (m) return { text: text.slice(m[0].length), service: m[1]! };
  m = TAG_RE.exec(text);
  if (m) return { text: text.slice(m[0].length), service: m[1]!, ...pidPart(pidOf(m[2])) };
  m = SHIPPER_ISO_RE.exec(text);
  if (m) return { text: text.slice(m[0].length), ...stampPart(parseIsoStamp(m[1]!)) };
  m = DECOR_RE.exec(text);
  if (m && m[0].length > 0) return { text: text.slice(m[0].length) };
  m = COMPOSE_RE.exec(text);
  if (m && !/^\d+$/.test(m[1]!)) return { text: text.slice(m[0].length), service: m[1]! };
  return undefined;
}

function stampPart(stamp: Stamp | undefined): { stamp?: Stamp } {
  return stamp ? { stamp } : {};
}

function pidPart(pid: number | undefined): { pid?: number } {
  return pid === undefined ? {} : { pid };
}

/** Removes every known prefix from one raw log line, keeping the first (outermost) time and service. */
export function stripPrefixes(raw: string): Stripped {
  let text = raw.replace(ANSI_RE, "").replace(/\r$/, "");
  const out: Stripped = { text };
  for (let round = 0; round < 8; round++) {
    const next = stripOne(text);
    if (!next || next.text === text) break;
    text = next.text;
    if (next.stamp && !out.stamp) out.stamp = next.stamp;
    if (next.service !== undefined && out.service === undefined) out.service = next.service;
    if (next.pid !== undefined && out.pid === undefined) out.pid = next.pid;
  }
  out.text = text.trimStart();
  return out;
}
