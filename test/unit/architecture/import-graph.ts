/**
 * The source tree's import graph, read from the files themselves: every relative import (static or
 * dynamic) of every .ts file under src/, as edges between files and between folders.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";

export const SRC = join(import.meta.dirname, "../../../src");

export interface ImportGraph {
  /** File (relative to src/) → the files it imports. */
  files: Map<string, Set<string>>;
  /** Folder (relative to src/, "." for src/ itself) → the folders it imports from. */
  folders: Map<string, Set<string>>;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

const IMPORT = /(?:from\s+|import\s*\(\s*)"(\.{1,2}\/[^"]+)"/g;

export function readImportGraph(root: string = SRC): ImportGraph {
  const files = new Map<string, Set<string>>();
  const folders = new Map<string, Set<string>>();
  for (const path of sourceFiles(root)) {
    const from = relative(root, path);
    const targets = new Set<string>();
    for (const match of readFileSync(path, "utf8").matchAll(IMPORT)) {
      targets.add(normalize(join(dirname(from), match[1]!)).replace(/\.js$/, ".ts"));
    }
    files.set(from, targets);
    const folder = dirname(from);
    const edges = folders.get(folder) ?? new Set<string>();
    for (const target of targets) if (dirname(target) !== folder) edges.add(dirname(target));
    folders.set(folder, edges);
  }
  return { files, folders };
}

/** The strongly connected components with more than one node (Tarjan): each one is a cycle. */
export function cycles(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    indexOf.set(node, index);
    low.set(node, index++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indexOf.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, indexOf.get(next)!));
    }
    if (low.get(node) === indexOf.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!indexOf.has(node)) visit(node);
  return found;
}
