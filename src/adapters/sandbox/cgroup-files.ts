/**
 * Small readers and writers of cgroup interface files used by the sandbox: failures to read become null,
 * failures to write or create become GwardenError E_CGROUP with a hint.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { GwardenError } from "../../core/error.js";
import { parseKeyValues } from "../../core/cgroup/key-values.js";
import { parseCgroupNumber } from "../../core/cgroup/cgroup-number.js";

/** Reads a cgroup file, or null when it cannot be read. */
export function read(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

/** Writes a value into a cgroup file. */
export function write(path: string, value: string): void {
  try {
    writeFileSync(path, value);
  } catch (error) {
    throw new GwardenError("E_CGROUP", `Could not write ${value.trim()} to ${path}`, {
      cause: error,
      hint: "creating a sandbox needs root (or a delegated cgroup) and the memory controller",
    });
  }
}

/** mkdir of a new group, as a GwardenError that says what is needed. */
export function makeGroup(dir: string): void {
  try {
    mkdirSync(dir);
  } catch (error) {
    throw new GwardenError("E_CGROUP", `Could not create the cgroup ${dir}`, {
      cause: error,
      hint: "creating a sandbox needs root (or a delegated cgroup) and a writable cgroup filesystem",
    });
  }
}

/** A single-number file (usage, peak), or null when missing, unlimited or malformed. */
export function number(path: string): number | null {
  const text = read(path);
  if (text === null) return null;
  const parsed = parseCgroupNumber(text);
  return parsed.kind === "value" ? parsed.value : null;
}

/** A counter from a flat key-value file (0 when the file or key is absent). */
export function counter(path: string, key: string): number {
  const text = read(path);
  return text === null ? 0 : (parseKeyValues(text).get(key) ?? 0);
}

/** Pids listed in a group's cgroup.procs (empty when the group is gone). */
export function pidsIn(dir: string): number[] {
  return (read(`${dir}/cgroup.procs`) ?? "")
    .split("\n")
    .filter((line) => /^\d+$/.test(line))
    .map(Number);
}
