/**
 * Parses one line of the instrumentation channel into a HookRecord (src/core/events/hook-record.ts).
 * Strict: a known field of the wrong type, a memory_guard without its figures or a memory_event of an
 * unknown kind (or without what that kind carries) rejects the line.
 */
import { HOOK_NAMES, MEMORY_EVENT_KINDS, type HookName, type HookRecord } from "./hook-record.js";

const HOOKS = new Set<string>(HOOK_NAMES);
const KINDS = new Set<string>(MEMORY_EVENT_KINDS);

type Check = (value: unknown) => boolean;

const isInt: Check = (v) => typeof v === "number" && Number.isSafeInteger(v);
const isIntOrNull: Check = (v) => v === null || isInt(v);
const isSize: Check = (v) => isInt(v) && (v as number) >= 0;
const isSizeOrNull: Check = (v) => v === null || isSize(v);
const isNumberOrNull: Check = (v) => v === null || (typeof v === "number" && Number.isFinite(v));
const isString: Check = (v) => typeof v === "string";
const isBoolean: Check = (v) => typeof v === "boolean";
const isStrings: Check = (v) => Array.isArray(v) && v.every((item) => typeof item === "string");
const isDirection: Check = (v) => v === null || v === "up" || v === "down";
const isKind: Check = (v) => typeof v === "string" && KINDS.has(v);
const isCounts: Check = (v) =>
  typeof v === "object" &&
  v !== null &&
  !Array.isArray(v) &&
  Object.values(v as Record<string, unknown>).every((n) => isInt(n));

/** The optional fields and their types; unknown fields are ignored (forward compatibility). */
const OPTIONAL: Record<string, Check> = {
  worker: isInt,
  status: isIntOrNull,
  exitcode: isIntOrNull,
  signal: isIntOrNull,
  new: isInt,
  old: isIntOrNull,
  version: isString,
  addresses: isStrings,
  workerClass: isString,
  userHookError: isString,
  truncated: isBoolean,
  rss: isSize,
  private: isSize,
  budget: isSize,
  requests: isIntOrNull,
  kind: isKind,
  threshold: isSize,
  direction: isDirection,
  usage: isSizeOrNull,
  limit: isSizeOrNull,
  oomKill: isIntOrNull,
  underOom: isIntOrNull,
  trigger: isString,
  someAvg10: isNumberOrNull,
  fullAvg10: isNumberOrNull,
  events: isCounts,
  changed: isStrings,
  high: isSize,
  what: isString,
  reason: isString,
};

/** Fields a record must carry, by hook and, for memory_event, by kind. */
const REQUIRED: Record<string, readonly string[]> = {
  memory_guard: ["rss", "private", "budget"],
  "memory_event:threshold": ["threshold", "usage"],
  "memory_event:oom": ["usage"],
  "memory_event:psi": ["trigger"],
  "memory_event:events": ["events", "changed"],
  "memory_event:high": ["high"],
  "memory_event:unavailable": ["what", "reason"],
};

function copy(value: unknown): unknown {
  if (Array.isArray(value)) return [...(value as unknown[])];
  if (typeof value === "object" && value !== null) return { ...(value as Record<string, unknown>) };
  return value;
}

/** Parses one channel line; null for junk or a record with a field of the wrong type. Never throws. */
export function parseHookRecord(line: string): HookRecord | null {
  let data: unknown;
  try {
    data = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) return null;
  const raw = data as Record<string, unknown>;
  const { hook, pid, ppid, time } = raw;
  if (typeof hook !== "string" || !HOOKS.has(hook)) return null;
  if (!isInt(pid) || (pid as number) <= 0 || !isInt(ppid) || (ppid as number) < 0) return null;
  if (typeof time !== "number" || !Number.isFinite(time)) return null;
  const record: Record<string, unknown> = { hook: hook as HookName, pid, ppid, time };
  for (const [name, check] of Object.entries(OPTIONAL)) {
    if (!(name in raw)) continue;
    const value = raw[name];
    if (!check(value)) return null;
    record[name] = copy(value);
  }
  if (hook === "memory_event" && record.kind === undefined) return null;
  const required = REQUIRED[hook === "memory_event" ? `${hook}:${String(record.kind)}` : hook] ?? [];
  if (record.truncated !== true && required.some((name) => !(name in record))) return null;
  return record as unknown as HookRecord;
}
