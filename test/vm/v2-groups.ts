/**
 * Nested cgroup v2 groups for the guest's tests: a chain of directories under the root (which delegates
 * memory and cpu), each level with the interface files a test sets, entered through a shell that moves
 * itself in before exec. `remove()` deletes the chain, deepest first.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const CGROUP_ROOT = "/sys/fs/cgroup";

/** True inside a guest whose v2 root hands memory and cpu to children (the VM tier). */
export function v2Delegated(): boolean {
  try {
    const enabled = spawnSync("cat", [join(CGROUP_ROOT, "cgroup.subtree_control")], {
      encoding: "utf8",
    }).stdout.split(/\s+/);
    return (
      existsSync(join(CGROUP_ROOT, "cgroup.controllers")) &&
      enabled.includes("memory") &&
      enabled.includes("cpu")
    );
  } catch {
    return false;
  }
}

export interface Chain {
  /** Directories from the outermost to the leaf. */
  dirs: string[];
  leaf: string;
  /** argv that runs `argv` inside the leaf. */
  wrap(argv: readonly string[]): string[];
  remove(): void;
}

/** Creates `levels` (each a map of interface file → value) as a chain below a uniquely named top. */
export function chain(name: string, levels: ReadonlyArray<Readonly<Record<string, string>>>): Chain {
  const dirs: string[] = [];
  let dir = join(CGROUP_ROOT, `gwarden-vmtest-${name}-${process.pid}`);
  for (const [i, files] of levels.entries()) {
    if (i > 0) dir = join(dir, `l${i + 1}`);
    mkdirSync(dir);
    dirs.push(dir);
    for (const [file, value] of Object.entries(files)) writeFileSync(join(dir, file), value);
    // Only the leaf holds processes; the others hand memory and cpu down ("no internal processes").
    if (i < levels.length - 1) writeFileSync(join(dir, "cgroup.subtree_control"), "+memory +cpu");
  }
  const leaf = dirs[dirs.length - 1]!;
  return {
    dirs,
    leaf,
    wrap: (argv) => ["/bin/sh", "-c", 'echo $$ > "$0/cgroup.procs" && exec "$@"', leaf, ...argv],
    remove() {
      for (const d of [...dirs].reverse()) if (existsSync(d)) rmdirSync(d);
    },
  };
}
