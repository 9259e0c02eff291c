import { describe, expect, it } from "vitest";
import { gunicornVersion } from "../../../../src/adapters/run/gunicorn-process.js";

// /bin/echo stands in for the launcher: it prints its arguments, which end with `--version`.
describe("gunicornVersion", () => {
  it("reads `gunicorn (version X)` and the `python -m gunicorn` spelling of 20.x", async () => {
    await expect(gunicornVersion(["/bin/echo", "gunicorn (version 23.0.0)"])).resolves.toBe("23.0.0");
    await expect(gunicornVersion(["/bin/echo", "__main__.py (version 20.1.0)"])).resolves.toBe("20.1.0");
  });

  it("refuses output without a version", async () => {
    await expect(gunicornVersion(["/bin/echo", "Python 3.11.2"])).rejects.toMatchObject({
      code: "E_GUNICORN_MISSING",
    });
  });
});
