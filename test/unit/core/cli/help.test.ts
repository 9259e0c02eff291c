import { describe, expect, it } from "vitest";
import { didYouMean, editDistance } from "../../../../src/core/cli/did-you-mean.js";
import { renderMainHelp, renderVerbHelp } from "../../../../src/core/cli/help.js";
import { defineVerb } from "../../../../src/core/cli/verb.js";
import { wrapCommand } from "../../../../src/core/cli/wrap.js";

const verb = defineVerb({
  name: "try",
  summary: "Try the help renderer on a verb that has a bit of everything",
  command: "required",
  flags: {
    out: { type: "string", placeholder: "FILE", default: "out.json", description: "Where to write" },
    url: { type: "string", repeat: true, placeholder: "PATH", description: "A URL path to warm up" },
    adaptive: { type: "boolean", default: true, negatable: true, description: "Adapt to load" },
    memory: { type: "size", group: "Planning flags", description: "What-if memory limit" },
  },
  notes: ["Exit status: 3 when something is wrong."],
  examples: [
    { command: "gwarden try -- gunicorn app:app", comment: "the simplest" },
    {
      command:
        "gwarden try --out /tmp/a-rather-long-output-file.json --url /health --url /db -- gunicorn --chdir example app:app",
    },
  ],
  run() {},
});

describe("renderVerbHelp", () => {
  it("prints the usage line with the app's command, flags by section, notes and examples", () => {
    expect(renderVerbHelp(verb, 80)).toMatchInlineSnapshot(`
      "Usage: gwarden try [flags] -- gunicorn [gunicorn args] app:app

      Try the help renderer on a verb that has a bit of everything

      Flags:
        --out FILE                 Where to write (default out.json)
        --url PATH                 A URL path to warm up (repeatable)
        --adaptive, --no-adaptive  Adapt to load (on by default)
        -h, --help                 Show this help

      Planning flags:
        --memory SIZE              What-if memory limit

      Exit status: 3 when something is wrong.

      Examples:
        # the simplest
        gwarden try -- gunicorn app:app

        gwarden try --out /tmp/a-rather-long-output-file.json --url /health --url \\
            /db -- gunicorn --chdir example app:app
      "
    `);
  });

  it("wraps descriptions to narrow terminals", () => {
    for (const line of renderVerbHelp(verb, 50).split("\n")) expect(line.length).toBeLessThanOrEqual(50);
  });
});

describe("renderMainHelp", () => {
  it("lists the verbs, the global flags and the exit statuses", () => {
    const text = renderMainHelp([verb], "1.2.3", 80);
    expect(text).toContain("gwarden 1.2.3: keeps Gunicorn alive");
    expect(text).toContain("  try  Try the help renderer");
    expect(text).toMatch(/^ {2}2 +bad usage/m);
    expect(text).toMatch(/^ {2}3 +doctor: a finding of severity error/m);
  });
});

describe("wrapCommand", () => {
  it("never splits a quoted word", () => {
    expect(wrapCommand("gwarden lab --custom '-w 2 --timeout 15' -- gunicorn app:app", 30)).toEqual([
      "gwarden lab --custom \\",
      "    '-w 2 --timeout 15' -- \\",
      "    gunicorn app:app",
    ]);
  });
});

describe("didYouMean", () => {
  it("finds typos, swaps and prefixes, and nothing far off", () => {
    expect(editDistance("memry", "memory")).toBe(1);
    expect(editDistance("adpative", "adaptive")).toBe(1);
    expect(didYouMean("memry", ["memory", "cpus"])).toBe("memory");
    expect(didYouMean("mem", ["memory", "max-restarts"])).toBe("memory");
    expect(didYouMean("plna", ["plan", "profile"])).toBe("plan");
    expect(didYouMean("zzz", ["memory", "cpus"])).toBeNull();
  });
});
