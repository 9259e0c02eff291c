/**
 * `/proc/<pid>/task/<tid>/children`: the pids of the children of one thread, space separated (Linux
 * ≥ 3.5, CONFIG_PROC_CHILDREN). For a single-threaded gunicorn master, the main thread's file lists
 * every worker.
 */

/** Parses a children file into pids, in the kernel's order; junk tokens are skipped. */
export function parseChildren(text: string): number[] {
  const pids: number[] = [];
  for (const token of text.split(/\s+/)) {
    if (/^\d+$/.test(token)) {
      const pid = Number(token);
      if (pid > 0 && Number.isSafeInteger(pid)) pids.push(pid);
    }
  }
  return pids;
}
