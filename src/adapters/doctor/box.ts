/** What doctor looks up on the box itself: where an executable is on PATH, and whether this is a container. */
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";

/** An explicit path when it exists, else the first `name` on PATH; null when there is none. */
export function findExecutable(name: string, path: string = process.env.PATH ?? ""): string | null {
  if (name.includes("/")) return existsSync(name) ? name : null;
  for (const dir of path.split(delimiter)) {
    const candidate = join(dir, name);
    if (dir !== "" && existsSync(candidate)) return candidate;
  }
  return null;
}

/** /.dockerenv, /run/.containerenv or a Kubernetes service variable. */
export function inContainer(env: NodeJS.ProcessEnv = process.env): boolean {
  return (
    existsSync("/.dockerenv") || existsSync("/run/.containerenv") || env.KUBERNETES_SERVICE_HOST !== undefined
  );
}
