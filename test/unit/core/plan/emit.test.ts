import { describe, expect, it } from "vitest";
import { planGunicorn } from "../../../../src/core/plan/plan.js";
import { emitArgs, planArgs, shellQuote } from "../../../../src/core/emit/emit-args.js";
import { emitEnv } from "../../../../src/core/emit/emit-env.js";
import { emitJson } from "../../../../src/core/emit/emit-json.js";
import { emitK8s, k8sCpu, k8sMemory, commandWithoutSizing } from "../../../../src/core/emit/emit-k8s.js";
import { emitConf } from "../../../../src/core/emit/emit-conf.js";
import { pythonRuntime } from "../../../../src/adapters/conf/python-runtime.js";
import { renderExplain, renderSummary } from "../../../../src/core/emit/explain.js";
import { shellSplit } from "../../../../src/core/argv/shell-split.js";
import { commandLineSettings } from "../../../../src/core/plan/conflicts.js";
import { box, input, slProfile } from "./fixtures.js";

const small = planGunicorn(input(box(256, 1)));
const preloaded = planGunicorn(
  input(box(1024, 2), slProfile(true), {
    appArgv: ["gunicorn", "wsgi:app", "-b", "0.0.0.0:7777", "-w", "2", "--timeout", "15"],
  }),
);

describe("args", () => {
  it("parses back (as gunicorn's shlex.split would) to the planned settings", () => {
    for (const plan of [small, preloaded]) {
      const settings = commandLineSettings(["gunicorn", ...shellSplit(emitArgs(plan))]);
      expect(settings.workers?.value).toBe(String(plan.workers));
      expect(settings.threads?.value).toBe(String(plan.threads));
      expect(settings.worker_class?.value).toBe(plan.workerClass);
      expect(settings.timeout?.value).toBe(String(plan.timeout));
      expect(settings.graceful_timeout?.value).toBe(String(plan.gracefulTimeout));
      expect(settings.max_requests?.value).toBe(String(plan.maxRequests));
      expect(settings.max_requests_jitter?.value).toBe(String(plan.maxRequestsJitter));
      expect(settings.worker_tmp_dir?.value).toBe(plan.workerTmpDir);
      expect(settings.backlog?.value).toBe(String(plan.backlog));
      expect(settings.preload_app?.value).toBe(plan.preload ? "true" : undefined);
    }
  });

  it("quotes only what needs quoting", () => {
    expect(shellQuote("/dev/shm")).toBe("/dev/shm");
    expect(shellQuote("a b")).toBe("'a b'");
    expect(shellSplit(shellQuote("it's"))).toEqual(["it's"]);
    expect(planArgs(preloaded)).toContain("--preload");
    expect(planArgs(small)).not.toContain("--preload");
  });
});

describe("env", () => {
  it("has GUNICORN_CMD_ARGS, WEB_CONCURRENCY and the DB pool variables, unquoted, with comments", () => {
    const text = emitEnv(small);
    expect(text).toContain(`GUNICORN_CMD_ARGS=${emitArgs(small)}\n`);
    expect(text).toMatch(/^WEB_CONCURRENCY=1$/m);
    expect(text).toMatch(/^GWARDEN_DB_POOL_SIZE=4$/m);
    expect(text).toMatch(/^GWARDEN_DB_MAX_OVERFLOW=2$/m);
    expect(text).toMatch(/create_engine\(url, pool_size=int\(os.environ\["GWARDEN_DB_POOL_SIZE"\]\)/);
    for (const line of text.split("\n"))
      expect(line === "" || line.startsWith("#") || /^[A-Z_]+=/.test(line)).toBe(true);
  });

  it("carries the conflicts as comments", () => {
    expect(emitEnv(preloaded)).toMatch(/# CONFLICT: `-w 2`/);
  });
});

describe("json", () => {
  it("round-trips the plan", () => {
    expect(JSON.parse(emitJson(preloaded))).toEqual(preloaded);
  });
});

describe("k8s", () => {
  it("writes a container fragment with requests = limits, env and a command without sizing flags", () => {
    const text = emitK8s(preloaded, [
      "gunicorn",
      "wsgi:app",
      "-b",
      "0.0.0.0:7777",
      "-w",
      "2",
      "--timeout",
      "15",
    ]);
    expect(text).toMatch(/^name: web$/m);
    expect(text).toContain('command: ["gunicorn", "wsgi:app", "-b", "0.0.0.0:7777"]');
    expect(text).toContain(
      'resources:\n  requests:\n    memory: "1024Mi"\n    cpu: "2"\n  limits:\n    memory: "1024Mi"\n    cpu: "2"\n',
    );
    expect(text).toMatch(/^ {2}- name: GUNICORN_CMD_ARGS\n {4}value: "--workers /m);
    expect(text).toMatch(/^ {2}- name: GWARDEN_DB_POOL_SIZE\n {4}value: "1"$/m);
    // Every non-comment line is `key: value`, `key:` or a list item, indented by 2s.
    for (const line of text.split("\n").filter((l) => l.trim() !== "" && !l.trim().startsWith("#"))) {
      expect(line).toMatch(/^( {2})*(- )?[a-zA-Z]+:( .+)?$/);
    }
  });

  it("formats CPUs and memory the Kubernetes way", () => {
    expect(k8sCpu(0.5)).toBe("500m");
    expect(k8sCpu(2)).toBe("2");
    expect(k8sMemory(256 * 1024 * 1024 + 1)).toBe("257Mi");
    expect(
      commandWithoutSizing(["/usr/bin/python3", "-m", "gunicorn", "--preload", "app:app", "--chdir", "x"]),
    ).toEqual(["/usr/bin/python3", "-m", "gunicorn", "app:app", "--chdir", "x"]);
  });

  it("leaves a command hint when no command was given", () => {
    expect(emitK8s(small)).toMatch(/^# command: \[/m);
  });
});

describe("conf", () => {
  it("renders settings and the reasons as header comments", () => {
    const text = emitConf(preloaded, null, pythonRuntime());
    expect(text).toMatch(/^workers = 3$/m);
    expect(text).toMatch(/^preload_app = True$/m);
    expect(text).toMatch(/^# workers = 3: /m);
    expect(text).toMatch(/^# CONFLICT: /m);
    expect(text).toContain("_gw_gc.disable()");
  });

  it("embeds the plan's recycle budget as the in-worker memory guard, unless told otherwise", () => {
    const budget = `guard_budget={"bytes": ${preloaded.recycleBytes}, "explicit": False}`;
    expect(emitConf(preloaded, null, pythonRuntime())).toContain(budget);
    expect(emitConf(preloaded, null, pythonRuntime(), { guard: null })).toContain("guard_budget=None)");
    expect(
      emitConf(preloaded, null, pythonRuntime(), { guard: { bytes: 1048576, explicit: true } }),
    ).toContain('guard_budget={"bytes": 1048576, "explicit": True}');
  });
});

describe("summary and explain", () => {
  it("summarises and explains every reason", () => {
    expect(renderSummary(small)).toMatch(/workers {8}1 \(adaptive 1–1\), gthread × 4 threads/);
    const explain = renderExplain(small);
    for (const key of Object.keys(small.reasons)) expect(explain).toContain(`${key} = `);
    expect(explain).toMatch(/how: 30 master \+ 1 × 121 worker/);
  });
});
