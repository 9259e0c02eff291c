import { describe, expect, it } from "vitest";
import { reportFatal } from "../../../src/commands/fatal.js";
import { GwardenError } from "../../../src/core/error.js";

describe("reportFatal", () => {
  it("prints the message, the hint and the stable code, and returns the error's exit status", () => {
    let text = "";
    const status = reportFatal(
      new GwardenError("E_SIZE", "Expected size like 512M, got `512Q`", { hint: "units: K, M, G" }),
      (t) => (text += t),
    );
    expect(status).toBe(2);
    expect(text).toBe(
      "gwarden: Expected size like 512M, got `512Q`\n  hint: units: K, M, G\n  code: E_SIZE\n",
    );
  });

  it("prints a stack for bugs and exits 70", () => {
    let text = "";
    expect(reportFatal(new TypeError("boom"), (t) => (text += t))).toBe(70);
    expect(text).toMatch(/^gwarden: internal error: TypeError: boom\n {4}at /);
  });
});
