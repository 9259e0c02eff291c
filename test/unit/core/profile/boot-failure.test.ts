import { describe, expect, it } from "vitest";
import { bootFailure, bootTimeout, errorLine, tailLines } from "../../../../src/core/profile/boot-failure.js";

const IMPORT_FAIL = `[2026-11-27 04:21:17 +0000] [17670] [INFO] Booting worker with pid: 17670
[2026-11-27 04:21:17 +0000] [17670] [ERROR] Exception in worker process
Traceback (most recent call last):
  File "/work/main/example/app.py", line 19, in <module>
    faults.at_import()
RuntimeError: example app: IMPORT_FAIL=1 asked the import to fail
[2026-11-27 04:21:17 +0000] [17670] [INFO] Worker exiting (pid: 17670)
[2026-11-27 04:21:17 +0000] [17662] [INFO] Shutting down: Master
[2026-11-27 04:21:17 +0000] [17662] [INFO] Reason: Worker failed to boot.
`;

describe("bootFailure", () => {
  it("calls a traceback an import failure and leads with the app's own error line", () => {
    const error = bootFailure({ code: 3, signal: null }, IMPORT_FAIL, "1 worker");
    expect(error.code).toBe("E_APP_IMPORT");
    expect(error.message.split("\n")[0]).toBe(
      "The app did not import (1 worker): RuntimeError: example app: IMPORT_FAIL=1 asked the import to fail",
    );
    expect(error.message).toContain("Reason: Worker failed to boot.");
  });

  it("calls anything else a boot failure of gunicorn itself", () => {
    const error = bootFailure(
      { code: 1, signal: null },
      "[ERROR] Connection in use: ('127.0.0.1', 8000)\n",
      "1 worker",
    );
    expect(error.code).toBe("E_BOOT");
    expect(error.message).toMatch(
      /^gunicorn exited with code 1 before it was ready \(1 worker\):\n\[ERROR\] Connection in use/,
    );
    expect(bootFailure({ code: null, signal: "SIGKILL" }, "", "x").message).toBe(
      "gunicorn was killed by SIGKILL before it was ready (x)",
    );
  });

  it("reports a deadline with the last lines gunicorn printed", () => {
    const error = bootTimeout(3, "a\nb\n[INFO] Booting worker with pid: 9\n", "1 worker");
    expect(error.code).toBe("E_BOOT");
    expect(error.message).toBe(
      "gunicorn was not ready within 3 s (1 worker); last output:\na\nb\n[INFO] Booting worker with pid: 9",
    );
  });
});

describe("tailLines / errorLine", () => {
  it("keeps the last non-empty lines", () => {
    expect(tailLines("a\n\nb\nc\n\n", 2)).toBe("b\nc");
  });

  it("finds the last exception line, or gunicorn's `Error:` line for a preload failure", () => {
    expect(errorLine(IMPORT_FAIL)).toBe("RuntimeError: example app: IMPORT_FAIL=1 asked the import to fail");
    expect(errorLine("\nError: example app: boom\n")).toBe("Error: example app: boom");
    expect(errorLine("nothing here")).toBeNull();
  });
});
