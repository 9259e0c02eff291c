import { spawnSync } from "node:child_process";
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import ts from "typescript";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openEventLog, readEventLog } from "../../../../src/adapters/run/event-log.js";
import type { GunicornEvent } from "../../../../src/core/events/types.js";
import { GwardenError } from "../../../../src/core/error.js";
import { repoRoot } from "../../../helpers/gunicorns.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "gwarden-events-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const event = (i: number): GunicornEvent => ({
  kind: "worker_boot",
  pid: 1000 + i,
  source: "hook",
  time: `2026-11-27T04:00:${String(i % 60).padStart(2, "0")}Z`,
});

describe("event log", () => {
  it("creates the directory and appends one JSON line per event", () => {
    const path = join(dir, "deep", "er", "events.jsonl");
    const log = openEventLog({ path });
    log.append(event(1));
    log.append({
      kind: "halt",
      reason: "App failed to load",
      source: "log",
      line: 'weird "line"\nwith newline',
    });
    log.close();
    expect(readEventLog(path)).toEqual([
      event(1),
      { kind: "halt", reason: "App failed to load", source: "log", line: 'weird "line"\nwith newline' },
    ]);
  });

  it("keeps every event across a reopen", () => {
    const path = join(dir, "events.jsonl");
    let log = openEventLog({ path });
    for (let i = 0; i < 50; i++) log.append(event(i));
    log.close();
    log = openEventLog({ path });
    for (let i = 50; i < 100; i++) log.append(event(i));
    log.close();
    expect(readEventLog(path)).toEqual(Array.from({ length: 100 }, (_, i) => event(i)));
  });

  it("rotates by size, keeping `files` files and the newest events", () => {
    const path = join(dir, "events.jsonl");
    const lineBytes = JSON.stringify(event(0)).length + 1;
    const log = openEventLog({ path, maxBytes: lineBytes * 10, files: 3 });
    for (let i = 0; i < 45; i++) log.append(event(i));
    log.close();
    expect(readdirSync(dir).sort()).toEqual(["events.jsonl", "events.jsonl.1", "events.jsonl.2"]);
    for (const f of readdirSync(dir)) expect(statSync(join(dir, f)).size).toBeLessThanOrEqual(lineBytes * 10);
    expect(readEventLog(path)).toEqual(Array.from({ length: 25 }, (_, i) => event(20 + i)));
  });

  it("skips a line torn by a crash and keeps appending after it", () => {
    const path = join(dir, "events.jsonl");
    const log = openEventLog({ path });
    log.append(event(1));
    log.close();
    appendFileSync(path, '{"kind":"worker_re');
    const again = openEventLog({ path });
    again.append(event(2));
    again.close();
    expect(readEventLog(path)).toEqual([event(1), event(2)]);
  });

  it("loses nothing that was appended before a SIGKILL", () => {
    const path = join(dir, "events.jsonl");
    // Node 20 cannot run .ts: transpile the module and what it imports at runtime into a scratch tree.
    const out = join(dir, "js");
    for (const file of ["adapters/run/event-log", "core/error", "core/size"]) {
      const source = readFileSync(join(repoRoot, "src", `${file}.ts`), "utf8");
      mkdirSync(dirname(join(out, file)), { recursive: true });
      writeFileSync(
        join(out, `${file}.js`),
        ts.transpileModule(source, {
          compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
        }).outputText,
      );
    }
    const script = `
      const { openEventLog } = await import(${JSON.stringify(join(out, "adapters", "run", "event-log.js"))});
      const log = openEventLog({ path: ${JSON.stringify(path)} });
      for (let i = 0; i < 500; i++) log.append({ kind: "worker_exit", pid: i, source: "proc" });
      process.kill(process.pid, "SIGKILL");`;
    const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    expect(child.signal, child.stderr).toBe("SIGKILL");
    expect(readEventLog(path).map((e) => e.pid)).toEqual(Array.from({ length: 500 }, (_, i) => i));
  });

  it("fails with E_IO naming the path when it cannot open", () => {
    const blocker = join(dir, "file");
    appendFileSync(blocker, "x");
    expect(() => openEventLog({ path: join(blocker, "events.jsonl") })).toThrow(GwardenError);
    try {
      openEventLog({ path: join(blocker, "events.jsonl") });
    } catch (error) {
      expect((error as GwardenError).code).toBe("E_IO");
      expect((error as GwardenError).message).toContain(blocker);
    }
    expect(existsSync(join(blocker, "events.jsonl"))).toBe(false);
  });
});
