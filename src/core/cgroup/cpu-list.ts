/**
 * Parser for CPU lists (`0-3,6,8-9`) as in /proc/self/status `Cpus_allowed_list` and cpuset files.
 */

/** Number of CPUs in a list; null when malformed or empty. */
export function countCpuList(text: string): number | null {
  const list = text.trim();
  if (list === "") return null;
  let count = 0;
  for (const part of list.split(",")) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!match) return null;
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    if (to < from) return null;
    count += to - from + 1;
  }
  return count;
}

/** The `Cpus_allowed_list` count from /proc/self/status text; null when absent or malformed. */
export function affinityFromStatus(text: string): number | null {
  const line = text.split("\n").find((l) => l.startsWith("Cpus_allowed_list:"));
  return line === undefined ? null : countCpuList(line.slice("Cpus_allowed_list:".length));
}
