import { describe, expect, it } from "vitest";
import { planGunicorn } from "../../../../src/core/plan/plan.js";
import { parseGunicornArgv } from "../../../../src/core/argv/gunicorn-argv.js";
import { rewriteArgv } from "../../../../src/core/launch/argv-rewrite.js";
import { envConflicts } from "../../../../src/core/launch/env-conflicts.js";
import { box, input } from "../plan/fixtures.js";

const plan = planGunicorn(input(box(512, 1), null, { gunicornVersion: "20.1.0" }));
// SimpleLogin's image: `gunicorn wsgi:app -b 0.0.0.0:7777 -w 2 --timeout 15`.
const simplelogin = parseGunicornArgv([
  "gunicorn",
  "wsgi:app",
  "-b",
  "0.0.0.0:7777",
  "-w",
  "2",
  "--timeout",
  "15",
  "--access-logfile",
  "-",
]);

describe("rewriteArgv", () => {
  it("drops sizing flags, keeps bind and the other arguments, spec last, and says why for each", () => {
    const out = rewriteArgv(simplelogin, plan, { keepArgs: false });
    expect(out.args).toEqual(["-b", "0.0.0.0:7777", "--access-logfile", "-", "wsgi:app"]);
    expect(out.replaced.map((r) => r.given)).toEqual(["-w 2", "--timeout 15"]);
    expect(out.replaced[0]!.message).toContain(`workers = ${plan.workers}`);
    expect(out.replaced[1]!.message).toContain(`timeout = ${plan.timeout}`);
    expect(out.warnings).toEqual([]);
  });

  it("with --keep-args keeps them and warns about the risky ones only", () => {
    const out = rewriteArgv(simplelogin, plan, { keepArgs: true });
    expect(out.args).toEqual([
      "-b",
      "0.0.0.0:7777",
      "-w",
      "2",
      "--timeout",
      "15",
      "--access-logfile",
      "-",
      "wsgi:app",
    ]);
    expect(out.replaced).toEqual([]);
    const risky = out.warnings.join("\n");
    expect(risky).toContain("--timeout 15");
    expect(risky.includes("-w 2")).toBe(2 > plan.workers);
    expect(out.kept.concat(out.warnings)).toHaveLength(2);
  });

  it("warns when a kept --keep-alive meets a gthread plan", () => {
    const threaded = planGunicorn(input(box(256, 1)));
    const out = rewriteArgv(parseGunicornArgv(["gunicorn", "--keep-alive", "5", "app:app"]), threaded, {
      keepArgs: true,
    });
    expect(out.warnings.join("\n")).toContain(
      "`--keep-alive 5` with gthread: a worker that retires drops requests",
    );
    expect(
      rewriteArgv(parseGunicornArgv(["gunicorn", "--keep-alive", "0", "app:app"]), threaded, {
        keepArgs: true,
      }).warnings,
    ).toEqual([]);
  });

  it("drops -c (chained by gwarden's config) and warns about a -k that contradicts the plan", () => {
    const out = rewriteArgv(
      parseGunicornArgv(["gunicorn", "-c", "conf.py", "-k", "gevent", "app:app"]),
      plan,
      { keepArgs: false },
    );
    expect(out.args).toEqual(["-k", "gevent", "app:app"]);
    expect(out.warnings[0]).toContain("-k gevent");
  });

  it("reports only the last of a repeated flag (gunicorn keeps the last)", () => {
    const out = rewriteArgv(parseGunicornArgv(["gunicorn", "-w", "2", "-w3", "app:app"]), plan, {
      keepArgs: false,
    });
    expect(out.replaced.map((r) => r.given)).toEqual(["-w 3"]);
  });
});

describe("envConflicts", () => {
  it("keeps the non-sizing part of GUNICORN_CMD_ARGS and reports the dropped flags and WEB_CONCURRENCY", () => {
    const out = envConflicts(
      { GUNICORN_CMD_ARGS: "--workers=9 --access-logfile - --log-level 'debug'", WEB_CONCURRENCY: "7" },
      plan,
      { keepArgs: false },
    );
    expect(out.gunicornCmdArgs).toBe("--access-logfile - --log-level debug");
    expect(out.messages).toHaveLength(2);
    expect(out.messages[0]).toContain("--workers 9");
    expect(out.messages[1]).toContain("WEB_CONCURRENCY=7");
  });

  it("says nothing when nothing conflicts", () => {
    expect(envConflicts({ WEB_CONCURRENCY: String(plan.workers) }, plan, { keepArgs: false })).toEqual({
      gunicornCmdArgs: "",
      messages: [],
    });
  });
});
