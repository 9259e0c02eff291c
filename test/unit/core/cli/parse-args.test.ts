import { describe, expect, it } from "vitest";
import { parseVerbArgs, wantsHelp } from "../../../../src/core/cli/parse-args.js";
import { defineVerb, type VerbDef } from "../../../../src/core/cli/verb.js";
import { GwardenError } from "../../../../src/core/error.js";

const verb = defineVerb({
  name: "try",
  summary: "A verb to parse with",
  command: "optional",
  flags: {
    memory: { type: "size", description: "A size" },
    cpus: { type: "number", above: 0, like: "1 or 0.5", description: "A number" },
    every: { type: "duration", default: "1s", min: "100ms", description: "A duration" },
    format: { type: "enum", choices: ["text", "json"], default: "text", description: "An enum" },
    url: { type: "string", repeat: true, description: "Repeats" },
    name: { type: "string", description: "A string" },
    adaptive: { type: "boolean", default: true, negatable: true, description: "Negatable" },
    json: { type: "boolean", description: "A switch" },
  },
  examples: [{ command: "gwarden try --memory 512M" }],
  run() {},
});

function failure(def: VerbDef, args: string[]): { code: string; message: string; hint?: string } {
  try {
    parseVerbArgs(def, args);
  } catch (error) {
    if (!(error instanceof GwardenError)) throw error;
    return { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
  }
  throw new Error(`parsed: ${args.join(" ")}`);
}

describe("parseVerbArgs", () => {
  it("reads each flag as its type, with defaults for the absent ones", () => {
    const parsed = parseVerbArgs(verb, [
      "--memory",
      "512M",
      "--cpus=0.5",
      "--url",
      "/a",
      "--url=/b",
      "--json",
    ]);
    expect(parsed.args).toEqual({
      memory: 512 * 1024 * 1024,
      cpus: 0.5,
      every: 1000,
      format: "text",
      url: ["/a", "/b"],
      name: undefined,
      adaptive: true,
      json: true,
    });
    expect([...parsed.given].sort()).toEqual(["cpus", "json", "memory", "url"]);
    expect(parsed.command).toEqual([]);
  });

  it("keeps everything after `--` as the app's command, flags included", () => {
    const parsed = parseVerbArgs(verb, ["--no-adaptive", "--", "gunicorn", "--memory", "x", "app:app"]);
    expect(parsed.args.adaptive).toBe(false);
    expect(parsed.command).toEqual(["gunicorn", "--memory", "x", "app:app"]);
  });

  it("takes a value that starts with a dash when it is not a flag (`-w 2 --timeout 15`, `-1`, ``)", () => {
    expect(parseVerbArgs(verb, ["--name", "-w 2 --timeout 15"]).args.name).toBe("-w 2 --timeout 15");
    expect(parseVerbArgs(verb, ["--name", ""]).args.name).toBe("");
    expect(failure(verb, ["--cpus", "-1"]).message).toBe(
      "Expected `--cpus` to be a number > 0 (like 1 or 0.5), got `-1`",
    );
  });

  it("refuses an unknown flag and says which one was meant", () => {
    expect(failure(verb, ["--memry", "256M"])).toEqual({
      code: "E_USAGE",
      message: "Unknown flag `--memry` for `gwarden try`",
      hint: "did you mean `--memory`? (`gwarden try --help` lists its flags)",
    });
    expect(failure(verb, ["--no-adpative"]).hint).toMatch(/^did you mean `--no-adaptive`\?/);
    expect(failure(verb, ["--jsn"]).hint).toMatch(/^did you mean `--json`\?/);
    expect(failure(verb, ["--zzzzzz"]).hint).toBe("`gwarden try --help` lists its flags");
  });

  it("refuses `--no-x` for a flag that cannot be negated", () => {
    expect(failure(verb, ["--no-json"]).message).toBe("Unknown flag `--no-json` for `gwarden try`");
  });

  it("refuses a flag without its value", () => {
    expect(failure(verb, ["--memory"])).toEqual({
      code: "E_USAGE",
      message: "`--memory` needs a value (--memory SIZE)",
      hint: "e.g. gwarden try --memory 512M",
    });
    expect(failure(verb, ["--name", "--json"]).message).toBe("`--name` needs a value (--name VALUE)");
  });

  it("refuses a bad value, naming the flag and the value", () => {
    expect(failure(verb, ["--memory", "512Q"])).toMatchObject({
      code: "E_SIZE",
      message: "Expected `--memory` like 512M, 1G or 268435456, got `512Q`",
    });
    expect(failure(verb, ["--every", "50ms"])).toEqual({
      code: "E_DURATION",
      message: "Expected `--every` to be at least 100ms, got `50ms`",
    });
    expect(failure(verb, ["--format", "jsno"])).toEqual({
      code: "E_USAGE",
      message: "Expected `--format` to be one of text, json, got `jsno`",
      hint: "did you mean `--format json`?",
    });
    expect(failure(verb, ["--json=yes"]).message).toBe("`--json` takes no value, got `yes`");
  });

  it("refuses a flag given twice unless it repeats", () => {
    expect(failure(verb, ["--memory", "1G", "--memory=2G"]).message).toBe(
      "`--memory` is given twice (`1G` and `2G`)",
    );
  });

  it("refuses stray words and short flags, pointing gunicorn's arguments after `--`", () => {
    expect(failure(verb, ["gunicorn", "app:app"])).toEqual({
      code: "E_USAGE",
      message: "Unexpected argument `gunicorn` for `gwarden try`",
      hint: "put the app's command after `--`: gwarden try [flags] -- gunicorn [gunicorn args] app:app",
    });
    expect(failure(verb, ["-w", "2"]).hint).toMatch(/^gunicorn's own flags go after `--`/);
  });

  it("requires the command of a verb that needs one, and refuses one a verb does not take", () => {
    const needs = defineVerb({ ...verb, command: "required" });
    expect(failure(needs, ["--json"]).message).toBe("`gwarden try` needs the gunicorn command after `--`");
    expect(failure(needs, ["--json", "--"]).hint).toBe("e.g. gwarden try --memory 512M");
    const none = defineVerb({ ...verb, command: undefined });
    expect(failure(none, ["--", "gunicorn"]).message).toBe("`gwarden try` takes no command after `--`");
  });

  it("collects operands for a verb that declares them, and counts them", () => {
    const files = defineVerb({ ...verb, operands: { usage: "FILE...", min: 1, description: "logs" } });
    expect(parseVerbArgs(files, ["a.log", "--json", "-", "b.log"]).operands).toEqual(["a.log", "-", "b.log"]);
    expect(failure(files, ["--json"]).message).toBe("`gwarden try` needs FILE...: logs");
  });
});

describe("wantsHelp", () => {
  it("sees -h and --help before `--` only", () => {
    expect(wantsHelp(["--memory", "1G", "-h"])).toBe(true);
    expect(wantsHelp(["--help"])).toBe(true);
    expect(wantsHelp(["--", "gunicorn", "--help"])).toBe(false);
  });
});
