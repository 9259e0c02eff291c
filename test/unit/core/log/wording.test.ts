/** The message table against the wording of every version (gunicorn.md §4.2, §4.5), line by line. */
import { describe, expect, it } from "vitest";
import { parseLog } from "../../../../src/core/log/log-parser.js";
import { parseLine } from "../../../../src/core/log/parse-line.js";

const H = "[2024-01-01 12:00:00 +0000] [10] ";

function one(line: string): Record<string, unknown> {
  const events = parseLog(line);
  expect(events).toHaveLength(1);
  const skip = new Set(["line", "lineNo", "time", "source"]);
  return Object.fromEntries(Object.entries(events[0]!).filter(([key]) => !skip.has(key)));
}

describe("gunicorn wording across versions", () => {
  it.each([
    [
      "start",
      `${H}[INFO] Starting gunicorn 20.0.4`,
      { kind: "start", version: "20.0.4", masterPid: 10, pid: 10 },
    ],
    [
      "listening with pid",
      `${H}[INFO] Listening at: http://0.0.0.0:8000 (10)`,
      { kind: "listening", address: "http://0.0.0.0:8000", pid: 10 },
    ],
    [
      "listening after HUP",
      `${H}[INFO] Listening at: unix:/run/g.sock`,
      { kind: "listening", address: "unix:/run/g.sock", pid: 10 },
    ],
    [
      "boot: pid from the message",
      `[2024-01-01 12:00:00 +0000] [11] [INFO] Booting worker with pid: 11`,
      { kind: "worker_boot", pid: 11 },
    ],
    ["exit", `${H}[INFO] Worker exiting (pid: 12)`, { kind: "worker_exit", pid: 12 }],
    [
      "timeout: the worker's pid wins over the master's",
      `${H}[CRITICAL] WORKER TIMEOUT (pid:12)`,
      { kind: "worker_timeout", pid: 12 },
    ],
    [
      "20.1 signal number",
      `${H}[WARNING] Worker with pid 12 was terminated due to signal 9`,
      { kind: "worker_signal", pid: 12, signal: "SIGKILL", cause: "unknown" },
    ],
    [
      "21+ exit code",
      `${H}[ERROR] Worker (pid:12) exited with code 1`,
      { kind: "worker_exit_code", pid: 12, code: 1 },
    ],
    [
      "21–23 SIGKILL",
      `${H}[ERROR] Worker (pid:12) was sent SIGKILL! Perhaps out of memory?`,
      { kind: "worker_signal", pid: 12, signal: "SIGKILL", cause: "unknown" },
    ],
    [
      "24.1 SIGTERM at INFO",
      `${H}[INFO] Worker (pid:12) was sent SIGTERM!`,
      { kind: "worker_signal", pid: 12, signal: "SIGTERM", cause: "unknown" },
    ],
    [
      "24+ fallback name",
      `${H}[WARNING] Worker (pid:12) was sent signal 40!`,
      { kind: "worker_signal", pid: 12, signal: "signal 40", cause: "unknown" },
    ],
    [
      "21–23 raw status with core dump",
      `${H}[ERROR] Worker (pid:12) was sent code 134!`,
      {
        kind: "worker_signal",
        pid: 12,
        signal: "SIGABRT",
        cause: "unknown",
        detail: "core dumped (raw status 134)",
      },
    ],
    ["master signal", `${H}[INFO] Handling signal: ttin`, { kind: "master_signal", signal: "ttin", pid: 10 }],
    [
      "max requests",
      `[2024-01-01 12:00:00 +0000] [13] [INFO] Autorestarting worker after current request.`,
      { kind: "max_requests_restart", pid: 13 },
    ],
    [
      "22+ no URI",
      `[2024-01-01 12:00:00 +0000] [13] [ERROR] Error handling request (no URI read)`,
      { kind: "request_error", pid: 13, message: "no URI read" },
    ],
    [
      "≤25.1 path",
      `[2024-01-01 12:00:00 +0000] [13] [ERROR] Error handling request /sleep?8`,
      { kind: "request_error", pid: 13, path: "/sleep?8" },
    ],
    [
      "25.2+ method and path",
      `[2024-01-01 12:00:00 +0000] [13] [ERROR] Error handling request GET /sleep?8`,
      { kind: "request_error", pid: 13, path: "/sleep?8" },
    ],
    [
      "20.0+ attribute",
      "Failed to find attribute 'app' in 'wsgi'.",
      { kind: "app_load_error", message: "Failed to find attribute 'app' in 'wsgi'." },
    ],
    [
      "19.9 app object",
      "Failed to find application object 'app' in 'wsgi'",
      { kind: "app_load_error", message: "Failed to find application object 'app' in 'wsgi'" },
    ],
    [
      "bind",
      `${H}[ERROR] Connection in use: ('0.0.0.0', 8000)`,
      {
        kind: "bind_error",
        pid: 10,
        address: "('0.0.0.0', 8000)",
        message: "Connection in use: ('0.0.0.0', 8000)",
      },
    ],
    [
      "26 bind detail",
      `${H}[ERROR] connection to ('0.0.0.0', 8000) failed: [Errno 98] Address already in use`,
      {
        kind: "bind_error",
        pid: 10,
        address: "('0.0.0.0', 8000)",
        message: "connection to ('0.0.0.0', 8000) failed: [Errno 98] Address already in use",
      },
    ],
    [
      "uvicorn readiness",
      `[2024-01-01 12:00:00 +0000] [14] [INFO] Application startup complete.`,
      { kind: "worker_ready", pid: 14 },
    ],
    [
      "kernel OOM",
      "[12345.678] Memory cgroup out of memory: Killed process 14 (gunicorn) total-vm:1kB",
      {
        kind: "worker_signal",
        pid: 14,
        signal: "SIGKILL",
        cause: "oom-confirmed",
        detail: "kernel OOM killer",
      },
    ],
    [
      "gevent graceful timeout",
      `${H}[WARNING] Worker graceful timeout (pid:12)`,
      { kind: "worker_timeout", pid: 12 },
    ],
    [
      "JSON formatter (python-json-logger)",
      JSON.stringify({
        asctime: "2024-01-01 12:00:00",
        levelname: "INFO",
        message: "Handling signal: term",
        process: 10,
      }),
      { kind: "master_signal", signal: "term", pid: 10 },
    ],
    [
      "legacy ≤19.1 stamp",
      "2015-06-01 10:00:00 [205] [INFO] Booting worker with pid: 205",
      { kind: "worker_boot", pid: 205 },
    ],
  ])("%s", (_name, line, expected) => {
    expect(one(line)).toEqual(expected);
  });

  it("reads gunicorn's time as ISO 8601 with the zone", () => {
    expect(parseLog("[2024-01-01 12:00:00 -0400] [10] [INFO] Starting gunicorn 23.0.0")[0]?.time).toBe(
      "2024-01-01T12:00:00-04:00",
    );
  });

  it("reads the time of a custom format without the pid field", () => {
    expect(parseLog("[2024-01-01 12:00:00 +0000] [INFO] Booting worker with pid: 9")[0]).toMatchObject({
      kind: "worker_boot",
      pid: 9,
      time: "2024-01-01T12:00:00+00:00",
    });
  });

  it("merges the doubled exit-code line of 21–23 into one event", () => {
    const events = parseLog(
      `${H}[ERROR] Worker (pid:12) exited with code 1\n${H}[ERROR] Worker (pid:12) exited with code 1.`,
    );
    expect(events.map((e) => e.kind)).toEqual(["worker_exit_code"]);
  });

  it("joins Shutting down with its Reason, and a boot error with its traceback", () => {
    const text = [
      `[2024-01-01 12:00:00 +0000] [11] [ERROR] Exception in worker process`,
      "Traceback (most recent call last):",
      '  File "app.py", line 1, in <module>',
      "ModuleNotFoundError: No module named 'flask'",
      `${H}[ERROR] Shutting down: Master`,
      `${H}[ERROR] Reason: Worker failed to boot.`,
    ].join("\n");
    const events = parseLog(text);
    expect(events).toMatchObject([
      { kind: "worker_boot_error", pid: 11, message: "ModuleNotFoundError: No module named 'flask'" },
      { kind: "halt", reason: "Worker failed to boot.", exitCode: 3 },
    ]);
  });

  it("splits gunicorn records glued to other output or to each other", () => {
    const glued = `some app output${H}[CRITICAL] WORKER TIMEOUT (pid:12)${H}[INFO] Worker exiting (pid: 12)`;
    expect(parseLine(glued).flatMap((r) => (r.match?.type === "event" ? [r.match.event.kind] : []))).toEqual([
      "worker_timeout",
      "worker_exit",
    ]);
  });

  it("matches custom formats on the message text", () => {
    expect(
      parseLog("gunicorn.error WARNING pid=10 Worker with pid 12 was terminated due to signal 15")[0],
    ).toMatchObject({ kind: "worker_signal", pid: 12 });
    expect(parseLog("12:00:00 [INFO] Booting worker with pid: 99")[0]).toMatchObject({
      kind: "worker_boot",
      pid: 99,
    });
  });

  it("ignores noise: chld, control socket, access lines, blank and truncated lines", () => {
    const text = [
      `${H}[DEBUG] Handling signal: chld`,
      `${H}[INFO] Control socket listening at /root/.gunicorn/gunicorn.ctl`,
      '127.0.0.1 - - [27/Nov/2026:02:18:17 +0000] "GET / HTTP/1.1" 200 5 "-" "curl"',
      "",
      "   ",
      "[2024-01-01 12:00:00 +0000] [1",
    ].join("\n");
    expect(parseLog(text)).toEqual([]);
  });
});
