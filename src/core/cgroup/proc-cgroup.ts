/**
 * Parser for /proc/self/cgroup (man 7 cgroups): `hierarchy-ID:controller-list:cgroup-path`, split on the
 * first two `:` only (paths may contain `:`), with lines rejected individually (cgroups.md §1).
 */

export interface CgroupEntry {
  hierarchyId: number;
  /** Controllers of a v1 hierarchy (`cpu`, `cpuacct`, `name=systemd`); empty for the v2 entry. */
  controllers: string[];
  /** Path relative to the reader's cgroup-namespace root, ` (deleted)` stripped. */
  path: string;
}

export interface ProcCgroup {
  entries: CgroupEntry[];
  /** The unified (v2) entry: hierarchy ID 0 with an empty controller list. */
  unified: CgroupEntry | null;
  malformed: string[];
}

const DELETED = " (deleted)";

/** Parses one line; null when it lacks two `:`, has a non-numeric ID, or a path not starting with `/`. */
export function parseCgroupLine(line: string): CgroupEntry | null {
  const first = line.indexOf(":");
  if (first === -1) return null;
  const second = line.indexOf(":", first + 1);
  if (second === -1) return null;
  const id = line.slice(0, first);
  const list = line.slice(first + 1, second);
  let path = line.slice(second + 1);
  if (!/^\d+$/.test(id) || !path.startsWith("/")) return null;
  if (path.endsWith(DELETED)) path = path.slice(0, -DELETED.length);
  const controllers = list === "" ? [] : list.split(",");
  return { hierarchyId: Number(id), controllers, path };
}

/** Parses the whole file; tolerates a missing final newline and empty lines. */
export function parseProcCgroup(text: string): ProcCgroup {
  const entries: CgroupEntry[] = [];
  const malformed: string[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\r$/, "");
    if (line.trim() === "") continue;
    const entry = parseCgroupLine(line);
    if (entry) entries.push(entry);
    else malformed.push(line);
  }
  const unified = entries.find((e) => e.hierarchyId === 0 && e.controllers.length === 0) ?? null;
  return { entries, unified, malformed };
}

/** The v1 entry whose controller list names `controller`; null when none does. */
export function v1Entry(parsed: ProcCgroup, controller: string): CgroupEntry | null {
  return parsed.entries.find((e) => e.hierarchyId !== 0 && e.controllers.includes(controller)) ?? null;
}

/** Whether a malformed line seems to have been about `controller` (to fail only that controller). */
export function malformedMentions(parsed: ProcCgroup, controller: string): boolean {
  return parsed.malformed.some((line) => (line.split(":")[1] ?? "").split(",").includes(controller));
}
