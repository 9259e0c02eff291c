import { describe, expect, it } from "vitest";
import { permanentFailure } from "../../../../src/core/run/start-failure.js";

const failed = { code: 3, signal: null };

describe("permanentFailure", () => {
  it("names what a restart cannot mend, from gunicorn's own words", () => {
    expect(
      permanentFailure(failed, [], "Traceback\nModuleNotFoundError: No module named 'wsgi'\n")?.reason,
    ).toBe("the app does not import: no module named 'wsgi'");
    expect(
      permanentFailure({ code: 4, signal: null }, [], "Failed to find attribute 'application' in 'wsgi'.\n")
        ?.reason,
    ).toBe("the app does not load: no 'application' in module 'wsgi'");
    expect(
      permanentFailure(
        { code: 2, signal: null },
        [],
        "usage: __main__.py [OPTIONS] [APP_MODULE]\n__main__.py: error: unrecognized arguments: --wokers\n",
      )?.reason,
    ).toBe("gunicorn rejects its command line: unrecognized arguments: --wokers");
    expect(
      permanentFailure(
        { code: 1, signal: null },
        [],
        "[ERROR] Connection in use: ('127.0.0.1', 8000)\n[ERROR] Can't connect to ('127.0.0.1', 8000)\n",
      )?.reason,
    ).toBe("the address is in use: gunicorn could not bind ('127.0.0.1', 8000) after 5 tries");
    expect(
      permanentFailure(failed, [], '  File "app.py", line 3\nSyntaxError: invalid syntax\n')?.reason,
    ).toBe("the app does not import: SyntaxError: invalid syntax");
  });

  it("keeps the backoff for passing failures, signals, and a master that had served", () => {
    expect(
      permanentFailure(
        failed,
        [],
        "psycopg2.OperationalError: could not connect to server: Connection refused\n",
      ),
    ).toBeNull();
    expect(permanentFailure(failed, [], "RuntimeError: IMPORT_FAIL was set\n")).toBeNull();
    expect(
      permanentFailure({ code: null, signal: "SIGKILL" }, [], "ModuleNotFoundError: No module named 'x'\n"),
    ).toBeNull();
    expect(
      permanentFailure(
        failed,
        [{ kind: "worker_ready", pid: 3, source: "hook" }],
        "ModuleNotFoundError: No module named 'x'\n",
      ),
    ).toBeNull();
  });

  it("takes the last telling line when there are several", () => {
    const tail = "ModuleNotFoundError: No module named 'a'\n...\nFailed to find attribute 'app' in 'b'.\n";
    expect(permanentFailure(failed, [], tail)?.reason).toContain("no 'app' in module 'b'");
  });
});
