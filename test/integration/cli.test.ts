/**
 * What users meet first (issue 12), end to end through the built CLI: unknown flags and flags without a
 * value fail with exit 2 and a did-you-mean; `--json` errors are one JSON document on stdout; `--help`
 * shows the app's command, examples and fits 80 columns; doctor honours --memory and exits 3 on an error
 * finding; a non-loopback --listen needs a token; a wrapper before gunicorn (setpriv, nice, env) is kept
 * in the launched command while gwarden finds gunicorn after it, and the dashboard's URL is printed
 * with its token.
 */
import { spawnSync } from "node:child_process";
import { get } from "node:http";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { gunicornReleases, repoRoot } from "../helpers/gunicorns.js";
import { MiB, startRun, until, type GwardenRun } from "./run-harness.js";

const cli = join(repoRoot, "dist/cli.js");
let work: string;

function gwarden(args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: work, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "gwarden-cli-"));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("strict flags", () => {
  it("refuses an unknown flag with exit 2 and says which one was meant", () => {
    const out = gwarden(["plan", "--memry", "256M"]);
    expect(out.code).toBe(2);
    expect(out.stdout).toBe("");
    expect(out.stderr).toContain("gwarden: Unknown flag `--memry` for `gwarden plan`");
    expect(out.stderr).toContain("did you mean `--memory`?");
  });

  it("refuses a flag without its value", () => {
    const out = gwarden(["plan", "--memory"]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain("`--memory` needs a value (--memory SIZE)");
  });

  it("refuses a flag the verb does not take (doctor --explain)", () => {
    const out = gwarden(["doctor", "--explain"]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain("Unknown flag `--explain` for `gwarden doctor`");
  });

  it("refuses an unknown verb with a did-you-mean", () => {
    const out = gwarden(["plna"]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain("did you mean `gwarden plan`?");
  });
});

describe("--json errors", () => {
  it.each([
    [["plan", "--json", "--memry", "256M"], "E_USAGE", 2],
    [["plan", "--format", "json", "--profile", "nope.json"], "E_PROFILE", 1],
    [["doctor", "--json", "--cpus", "zero"], "E_NUMBER", 2],
  ])("%j prints one JSON error document on stdout", (args, code, status) => {
    const out = gwarden(args);
    expect(out.code).toBe(status);
    const doc = JSON.parse(out.stdout) as { error: { code: string; message: string; hint: string | null } };
    expect(doc.error.code).toBe(code);
    expect(doc.error.message).not.toBe("");
    expect(Object.keys(doc.error).sort()).toEqual(["code", "hint", "message"]);
    expect(out.stderr).toContain(`code: ${code}`);
  });
});

describe("--help", () => {
  it.each(["detect", "profile", "plan", "doctor", "analyze", "run", "lab", "monitor"])(
    "gwarden %s --help: usage, examples, 80 columns",
    (verb) => {
      const out = gwarden([verb, "--help"]);
      expect(out.code).toBe(0);
      expect(out.stdout.split("\n").filter((l) => l.length > 80)).toEqual([]);
      expect(out.stdout).toMatch(new RegExp(`^Usage: gwarden ${verb} \\[flags\\]`));
      expect(out.stdout).toContain("\nExamples:\n");
      if (["profile", "plan", "doctor", "run", "lab"].includes(verb))
        expect(out.stdout.split("\n")[0]).toContain("-- gunicorn [gunicorn args] app:app");
    },
  );

  it("lists both --adaptive and --no-adaptive for run", () => {
    expect(gwarden(["run", "--help"]).stdout).toContain("--adaptive, --no-adaptive");
  });

  it("prints the version of package.json and the exit statuses", () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string };
    expect(gwarden(["--version"]).stdout).toBe(`${pkg.version}\n`);
    expect(gwarden(["--help"]).stdout).toMatch(/Exit status:\n {2}0 +success/);
  });
});

describe("doctor", () => {
  it("judges the box --memory describes and exits 3 on an error finding", () => {
    const out = gwarden(["doctor", "--memory", "256M", "--", "gunicorn", "app:app", "-w", "8"]);
    expect(out.stdout).toContain("memory 256 MiB");
    expect(out.stdout).toContain("workers-exceed-memory (error)");
    expect(out.code).toBe(3);
  });
});

describe("run --listen", () => {
  it("refuses a non-loopback address without a token", () => {
    const out = gwarden(["run", "--listen", "0.0.0.0:0", "--", "gunicorn", "app:app"]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain("Refusing to serve /metrics, /api/state and the dashboard on 0.0.0.0:0");
    expect(out.stderr).toContain("--allow-unauthenticated");
  });
});

describe("run through a wrapper", () => {
  const debian = gunicornReleases().find((r) => r.version === "20.1.0")!;
  const runs: GwardenRun[] = [];
  afterEach(async () => {
    for (const run of runs.splice(0)) await run.close();
  });

  /** GET with the bearer token: the master's pid from /api/state. */
  function masterPid(port: number): Promise<number | null> {
    return new Promise((resolve) => {
      const req = get(
        { host: "127.0.0.1", port, path: "/api/state", headers: { authorization: "Bearer s3cret" } },
        (res) => {
          let body = "";
          res.setEncoding("utf8").on("data", (c: string) => (body += c));
          res.on("end", () => {
            try {
              resolve((JSON.parse(body) as { master: { pid: number | null } }).master.pid);
            } catch {
              resolve(null);
            }
          });
        },
      );
      req.on("error", () => resolve(null));
    });
  }

  it("keeps setpriv, nice and env in the launched command and finds gunicorn after them", async () => {
    const wrapper = ["setpriv", "--reuid=root", "--regid=root", "--init-groups", "nice", "-n", "5"];
    const run = await startRun({
      release: { ...debian, command: [...wrapper, "env", "GWARDEN_WRAPPED=1", ...debian.command] },
      memoryBytes: 512 * MiB,
      flags: ["--token", "s3cret"],
    });
    runs.push(run);
    await until("/healthz 200", async () => (await run.api("/healthz")).status === 200, 60_000);
    expect(run.stderr()).toMatch(
      new RegExp(`gwarden: serving http://127\\.0\\.0\\.1:${run.apiPort}/#token=s3cret \\(the dashboard\\)`),
    );
    const pid = await until("the master's pid", () => masterPid(run.apiPort));
    // nice ran: the master (and so every worker) runs at niceness 5; env ran: the variable is set.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    expect(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]).toBe("5");
    expect(readFileSync(`/proc/${pid}/environ`, "utf8").split("\0")).toContain("GWARDEN_WRAPPED=1");
    run.child.kill("SIGTERM");
    expect((await run.exited).code).toBe(0);
  });
});
