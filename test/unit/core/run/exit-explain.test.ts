import { describe, expect, it } from "vitest";
import { createLogParser } from "../../../../src/core/log/log-parser.js";
import type { GunicornEvent } from "../../../../src/core/events/types.js";
import { explainExit, exitCodeOf } from "../../../../src/core/run/exit-explain.js";

function parse(text: string): GunicornEvent[] {
  const parser = createLogParser();
  const events = text.split("\n").flatMap((line) => parser.feed(line).map((p) => p.event));
  return [...events, ...parser.end().map((p) => p.event)];
}

// gunicorn 20.1.0, the example app with IMPORT_FAIL=1 (shortened traceback).
const IMPORT_FAIL = `[2026-11-27 05:00:00 +0000] [10] [INFO] Starting gunicorn 20.1.0
[2026-11-27 05:00:00 +0000] [10] [INFO] Listening at: http://127.0.0.1:8000 (10)
[2026-11-27 05:00:00 +0000] [10] [INFO] Using worker: sync
[2026-11-27 05:00:00 +0000] [11] [INFO] Booting worker with pid: 11
[2026-11-27 05:00:01 +0000] [11] [ERROR] Exception in worker process
Traceback (most recent call last):
  File "/usr/lib/python3/dist-packages/gunicorn/arbiter.py", line 589, in spawn_worker
    worker.init_process()
RuntimeError: example app: IMPORT_FAIL=1 asked the import to fail
[2026-11-27 05:00:01 +0000] [11] [INFO] Worker exiting (pid: 11)
[2026-11-27 05:00:01 +0000] [10] [INFO] Shutting down: Master
[2026-11-27 05:00:01 +0000] [10] [INFO] Reason: Worker failed to boot.`;

describe("explainExit", () => {
  it("exit 3 names the app's own error", () => {
    const out = explainExit({ code: 3, signal: null }, parse(IMPORT_FAIL), IMPORT_FAIL);
    expect(out.exitCode).toBe(3);
    expect(out.meaning).toContain("a worker failed to boot");
    expect(out.diagnosis).toContain("IMPORT_FAIL=1 asked the import to fail");
  });

  it("a HaltServer crash (exit 1) is recognised from stderr", () => {
    const tail =
      "Traceback (most recent call last):\ngunicorn.errors.HaltServer: <HaltServer 'App failed to load.' 4>";
    const out = explainExit({ code: 1, signal: null }, [], tail);
    expect(out.meaning).toContain("HaltServer");
    expect(out.diagnosis).toContain("HaltServer");
  });

  it("signals map to 128 + n, a clean stop has no diagnosis", () => {
    expect(exitCodeOf({ code: null, signal: "SIGKILL" })).toBe(137);
    expect(explainExit({ code: 0, signal: null }, parse(IMPORT_FAIL))).toEqual({
      exitCode: 0,
      meaning: "gunicorn stopped cleanly",
      diagnosis: null,
    });
  });
});

describe("diagnose", () => {
  it("prefers the app's error to the HaltServer crash that followed it (26.x race)", () => {
    const events: GunicornEvent[] = [
      {
        kind: "worker_boot_error",
        pid: 11,
        message: "RuntimeError: example app: IMPORT_FAIL=1 asked the import to fail",
        source: "log",
      },
      {
        kind: "master_crash",
        pid: 10,
        message: "HaltServer: Worker failed to boot. (exit 3)",
        source: "log",
      },
    ];
    expect(
      explainExit(
        { code: 1, signal: null },
        events,
        "gunicorn.errors.HaltServer: <HaltServer 'Worker failed to boot.' 3>",
      ).diagnosis,
    ).toBe("app fails to import: RuntimeError: example app: IMPORT_FAIL=1 asked the import to fail");
  });
});
