/**
 * The runtime embedded in the rendered conf, run by Debian's Python without a server: the loader
 * recreates gwarden_runtime.* from the sources exactly, keeps them across a re-execution (gunicorn
 * re-reads its config on every HUP), shows the embedded lines in tracebacks, and the conf as a whole
 * passes pyflakes. The modules themselves are tested as files in test/python/.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderGunicornConf } from "../../../../src/core/conf/render.js";
import { pythonRuntime } from "../../../../src/adapters/conf/python-runtime.js";
import { runWithConf } from "./python-check.js";

const runtime = pythonRuntime();
const conf = renderGunicornConf({
  settings: { workers: 2 },
  gcFreeze: true,
  userConfig: null,
  comments: ["embedded runtime test"],
  guard: { bytes: 104857600, explicit: false },
  runtime,
});

describe("the embedded runtime", () => {
  it("loads every module from its source, once across re-executions of the conf", () => {
    const out = runWithConf(conf, [
      "import json, os, runpy, sys",
      "r, w = os.pipe()",
      "os.environ['GWARDEN_EVENT_FD'] = str(w)",
      "first = runpy.run_path(CONF)",
      "mods = {k: v for k, v in sys.modules.items() if k == 'gwarden_runtime' or k.startswith('gwarden_runtime.')}",
      "ids = {k: id(v) for k, v in mods.items()}",
      "second = runpy.run_path(CONF)",
      "same = all(id(sys.modules[k]) == ids[k] for k in ids)",
      "channel = sys.modules['gwarden_runtime.channel']",
      "channel.emit('on_exit')",
      "line = os.read(r, 4096).decode()",
      "print(json.dumps({",
      "  'sources': {k.split('.')[-1] if '.' in k else '__init__': v.__gw_source__ for k, v in mods.items()},",
      "  'same': same, 'fd': channel.FD == w, 'line': line,",
      "  'hooks': sorted(k for k in second if k in ('post_request', 'pre_fork', 'when_ready')),",
      "  'workers': second['workers'], 'package': first['_gw_runtime'] is sys.modules['gwarden_runtime'],",
      "}))",
    ]);
    const result = JSON.parse(out) as {
      sources: Record<string, string>;
      same: boolean;
      fd: boolean;
      line: string;
      hooks: string[];
      workers: number;
      package: boolean;
    };
    expect(result.sources).toEqual(runtime.modules);
    expect(result.same).toBe(true);
    expect(result.fd).toBe(true);
    expect(JSON.parse(result.line)).toMatchObject({ hook: "on_exit" });
    expect(result.hooks).toEqual(["post_request", "pre_fork", "when_ready"]);
    expect(result.workers).toBe(2);
    expect(result.package).toBe(true);
  });

  it("shows the embedded source lines in a traceback", () => {
    const out = runWithConf(conf, [
      "import runpy, traceback, sys",
      "runpy.run_path(CONF)",
      "try:",
      "    sys.modules['gwarden_runtime.event_config'].psi_trigger('bad')",
      "except ValueError:",
      "    print(traceback.format_exc())",
    ]);
    expect(out).toMatch(/embedded gwarden_runtime\/event_config\.py/);
    expect(out).toMatch(/raise ValueError\("expected 'some\|full/);
  });

  it("passes pyflakes as a whole file", () => {
    const dir = mkdtempSync(join(tmpdir(), "gw-flakes-"));
    try {
      const file = join(dir, "gunicorn.conf.py");
      writeFileSync(file, conf);
      expect(execFileSync("pyflakes3", [file], { encoding: "utf8" })).toBe("");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
