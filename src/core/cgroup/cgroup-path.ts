/**
 * Path arithmetic for cgroup directories, component-wise (cgroups.md §2.1), without node:path so the
 * core stays pure. Paths are absolute POSIX strings.
 */

/** Splits an absolute path into its non-empty components (`/a//b/` → [a, b]). */
export function components(path: string): string[] {
  return path.split("/").filter((part) => part !== "" && part !== ".");
}

/** Joins a base directory and a relative list of components. */
export function joinPath(base: string, parts: readonly string[]): string {
  const head = base === "/" ? "" : base.replace(/\/+$/, "");
  const tail = parts.join("/");
  if (tail === "") return head === "" ? "/" : head;
  return `${head}/${tail}`;
}

/** Components of `path` below `root`, or null when `path` is not `root` or below it (component-wise). */
export function relativeBelow(root: string, path: string): string[] | null {
  const r = components(root);
  const p = components(path);
  if (r.includes("..") || p.includes("..")) return null;
  if (p.length < r.length) return null;
  for (let i = 0; i < r.length; i++) if (r[i] !== p[i]) return null;
  return p.slice(r.length);
}

/** Whether `path` is `dir` or lies below it. */
export function isWithin(dir: string, path: string): boolean {
  return relativeBelow(dir, path) !== null;
}

/** The directories from `dir` up to and including `top` (leaf first); [dir] alone when dir is not below top. */
export function chainUpTo(top: string, dir: string): string[] {
  const rel = relativeBelow(top, dir);
  if (rel === null) return [dir];
  const chain: string[] = [];
  for (let n = rel.length; n >= 0; n--) chain.push(joinPath(top, rel.slice(0, n)));
  return chain;
}
