/**
 * Parses one line of the instrumentation channel into a HookRecord (src/core/events/hook-record.ts).
 */
import { HOOK_NAMES, type HookName, type HookRecord } from "./hook-record.js";

const HOOKS = new Set<string>(HOOK_NAMES);

type Check = (value: unknown) => boolean;

const isInt: Check = (v) => typeof v === "number" && Number.isSafeInteger(v);
const isIntOrNull: Check = (v) => v === null || isInt(v);
const isString: Check = (v) => typeof v === "string";
const isBoolean: Check = (v) => typeof v === "boolean";
const isStrings: Check = (v) => Array.isArray(v) && v.every((item) => typeof item === "string");

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
  busy: isInt,
  userHookError: isString,
  truncated: isBoolean,
};

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
    record[name] = Array.isArray(value) ? [...(value as unknown[])] : value;
  }
  return record as unknown as HookRecord;
}
