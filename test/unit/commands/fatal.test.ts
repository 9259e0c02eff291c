import { describe, expect, it } from "vitest";
import { reportFatal } from "../../../src/commands/fatal.js";
import { GwardenError } from "../../../src/core/error.js";
import { wantsJson } from "../../../src/core/cli/error-document.js";

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

describe("reportFatal with --json", () => {
  it("also prints the error as one JSON document for programs", () => {
    let text = "";
    let json = "";
    const status = reportFatal(
      new GwardenError("E_USAGE", "Unknown flag `--memry` for `gwarden plan`", {
        hint: "did you mean `--memory`?",
      }),
      (t) => (text += t),
      (t) => (json += t),
    );
    expect(status).toBe(2);
    expect(JSON.parse(json)).toEqual({
      error: {
        code: "E_USAGE",
        message: "Unknown flag `--memry` for `gwarden plan`",
        hint: "did you mean `--memory`?",
      },
    });
    expect(json.trim().split("\n")).toHaveLength(1);
    expect(text).toContain("gwarden: Unknown flag `--memry`");
  });

  it("gives a bug the code E_INTERNAL", () => {
    let json = "";
    expect(
      reportFatal(
        new TypeError("boom"),
        () => {},
        (t) => (json += t),
      ),
    ).toBe(70);
    expect(JSON.parse(json)).toMatchObject({ error: { code: "E_INTERNAL", message: "boom" } });
  });
});

describe("wantsJson", () => {
  it("sees --json and --format json among gwarden's own arguments only", () => {
    expect(wantsJson(["plan", "--memry", "1G", "--json"])).toBe(true);
    expect(wantsJson(["plan", "--format", "json"])).toBe(true);
    expect(wantsJson(["plan", "--format=json"])).toBe(true);
    expect(wantsJson(["plan", "--", "gunicorn", "--json"])).toBe(false);
    expect(wantsJson(["plan", "--format", "conf"])).toBe(false);
  });
});
