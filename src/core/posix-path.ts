/** POSIX path arithmetic without node:path, so the core and the commands can resolve paths purely. */

/** Resolves `path` against the absolute `base` and normalises `.`/`..`/`//`. */
export function resolvePosix(base: string, path: string): string {
  const parts: string[] = [];
  for (const part of (path.startsWith("/") ? path : `${base}/${path}`).split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return `/${parts.join("/")}`;
}
