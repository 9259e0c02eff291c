/**
 * Removal of sandbox cgroups: kill what is left inside (SIGKILL), wait (bounded) until cgroup.procs is
 * empty, rmdir. Also the small registry that removes still-open sandboxes on exit, SIGINT and SIGTERM.
 */
import { rmdirSync, existsSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { processShutdown } from "../platform/shutdown.js";
import { pidsIn } from "./cgroup-files.js";

const open = new Set<string>();
let hooked = false;

function killAll(dir: string): number {
  const left = pidsIn(dir);
  for (const pid of left) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  return left.length;
}

function tryRmdir(dir: string): boolean {
  if (!existsSync(dir)) return true;
  try {
    rmdirSync(dir);
    return true;
  } catch {
    return false;
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Kills every process in `dirs` and removes them, blocking at most ~2 s (for exit hooks). */
export function killAndRemoveSync(dirs: readonly string[], budgetMs = 2000): void {
  const deadline = Date.now() + budgetMs;
  for (const dir of dirs) {
    while (killAll(dir) > 0 && Date.now() < deadline) sleepSync(20);
    while (!tryRmdir(dir) && Date.now() < deadline) sleepSync(20);
  }
}

/** Kills every process in `dirs`, waits until the groups are empty (bounded), and removes them. */
export async function killAndRemove(dirs: readonly string[], budgetMs = 10_000): Promise<void> {
  const deadline = Date.now() + budgetMs;
  for (const dir of dirs) {
    while (killAll(dir) > 0 && Date.now() < deadline) await sleep(25);
    while (!tryRmdir(dir) && Date.now() < deadline) await sleep(25);
    if (existsSync(dir)) throw new Error(`cgroup ${dir} could not be removed within ${budgetMs} ms`);
  }
}

function cleanupAll(): void {
  killAndRemoveSync([...open]);
  open.clear();
}

/**
 * Registers directories to remove if the process exits before remove(): on any exit, including a
 * SIGINT/SIGTERM nobody handles (the shutdown coordinator then exits 128 + n after its cleanups) and
 * after a verb's own stop (the lab writes its partial results first, then exits).
 */
export function removeOnExit(dirs: readonly string[]): void {
  for (const dir of dirs) open.add(dir);
  if (hooked) return;
  hooked = true;
  processShutdown().atExit(cleanupAll);
}

/** Forgets directories that were removed normally. */
export function forgetOnExit(dirs: readonly string[]): void {
  for (const dir of dirs) open.delete(dir);
}
