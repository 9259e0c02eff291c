/**
 * The injected file reader of detection and the small helpers that turn one read into a value with its
 * provenance. A missing file is "no limit at this level"; any other failure is "unknown" with the reason.
 */
import type { Provenance } from "./types.js";
import { parseCgroupNumber } from "../cgroup/cgroup-number.js";

/** The result of reading one file: its text, or why it could not be read. */
export type ReadResult = { ok: true; text: string } | { ok: false; reason: string };

/** Reads an absolute path ("/proc/self/cgroup"); the adapter maps it under the detection root. */
export type Reader = (path: string) => ReadResult;

/** Whether a failed read means the file does not exist (as opposed to denied or broken). */
export function isMissing(reason: string): boolean {
  return /^(ENOENT|ENOTDIR)\b|^missing\b/i.test(reason);
}

/** One level's limit file: a value, no limit (missing or an unlimited spelling), or unknown with why. */
export type LevelValue =
  | { kind: "value"; value: number; path: string }
  | { kind: "none"; path: string; present: boolean }
  | { kind: "unknown"; path: string; reason: string };

/** Reads a single-number file such as memory.max or memory.limit_in_bytes. */
export function readLevel(read: Reader, path: string): LevelValue {
  const result = read(path);
  if (!result.ok) {
    return isMissing(result.reason)
      ? { kind: "none", path, present: false }
      : { kind: "unknown", path, reason: `${path}: ${result.reason}` };
  }
  const parsed = parseCgroupNumber(result.text);
  switch (parsed.kind) {
    case "value":
      return { kind: "value", value: parsed.value, path };
    case "unlimited":
      return { kind: "none", path, present: true };
    case "malformed":
      return { kind: "unknown", path, reason: `${path}: ${parsed.reason}` };
  }
}

/** Reads a number file, or null (with the reason) when missing, unlimited or malformed. */
export function readCount(read: Reader, path: string): { value: number | null; reason?: string } {
  const level = readLevel(read, path);
  if (level.kind === "value") return { value: level.value };
  if (level.kind === "unknown") return { value: null, reason: level.reason };
  return { value: null, reason: level.present ? `${path}: unlimited` : `${path}: missing` };
}

/** Reads a text file, or null; the failure reason goes to `onFail` unless the file is simply missing. */
export function readText(read: Reader, path: string, onFail?: (reason: string) => void): string | null {
  const result = read(path);
  if (result.ok) return result.text;
  if (onFail && !isMissing(result.reason)) onFail(`${path}: ${result.reason}`);
  return null;
}

/** Collects provenance per figure and warnings for people. */
export class Notes {
  readonly sources: Record<string, Provenance> = {};
  readonly warnings: string[] = [];

  /** Records where figure `key` came from. */
  set(key: string, provenance: Provenance): void {
    this.sources[key] = provenance;
  }

  /** Adds a warning once. */
  warn(text: string): void {
    if (!this.warnings.includes(text)) this.warnings.push(text);
  }
}

/** Minimum of two optional numbers (null = no bound). */
export function minOf(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}
