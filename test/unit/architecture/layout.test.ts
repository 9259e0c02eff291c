import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cycles, readImportGraph, SRC } from "./import-graph.js";

const graph = readImportGraph();

describe("the source tree's layout (docs/architecture.md)", () => {
  it("has no import cycle between folders", () => {
    expect(cycles(graph.folders)).toEqual([]);
  });

  it("has no import cycle between files", () => {
    expect(cycles(graph.files)).toEqual([]);
  });

  it("keeps each layer's imports inward: core imports only core, adapters never import commands", () => {
    const outward: string[] = [];
    for (const [file, targets] of graph.files) {
      for (const target of targets) {
        if (file.startsWith("core/") && !target.startsWith("core/")) outward.push(`${file} → ${target}`);
        if (file.startsWith("adapters/") && target.startsWith("commands/"))
          outward.push(`${file} → ${target}`);
      }
    }
    expect(outward).toEqual([]);
  });

  it("keeps commands free of I/O: no node: import, no signal handler, no process.exit (adapters do that)", () => {
    const commands = join(SRC, "commands");
    const effects: string[] = [];
    for (const name of readdirSync(commands).filter((n) => n.endsWith(".ts"))) {
      const text = readFileSync(join(commands, name), "utf8");
      for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*)"(node:[^"]+)"/g))
        effects.push(`${name}: ${m[1]}`);
      for (const m of text.matchAll(/\bprocess\.(on|once|off|exit|kill|chdir)\(/g))
        effects.push(`${name}: process.${m[1]}`);
    }
    expect(effects).toEqual([]);
  });

  it("keeps every folder to about 15 files", () => {
    const crowded: string[] = [];
    const walk = (dir: string): void => {
      const entries = readdirSync(dir, { withFileTypes: true });
      const files = entries.filter((e) => e.isFile() && e.name.endsWith(".ts"));
      if (files.length > 16) crowded.push(`${dir.slice(SRC.length + 1) || "."}: ${files.length}`);
      for (const e of entries) if (e.isDirectory()) walk(join(dir, e.name));
    };
    walk(SRC);
    expect(crowded).toEqual([]);
  });

  it("can see a cycle when there is one", () => {
    const looped = new Map([
      ["a", new Set(["b"])],
      ["b", new Set(["c"])],
      ["c", new Set(["a"])],
      ["d", new Set(["a"])],
    ]);
    expect(cycles(looped)).toEqual([["a", "b", "c"]]);
  });
});
