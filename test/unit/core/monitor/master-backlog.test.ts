import { describe, expect, it } from "vitest";
import { configPath, gunicornArgv, masterBacklog } from "../../../../src/core/monitor/master-backlog.js";

const nul = (...parts: string[]) => `${parts.join("\0")}\0`;

describe("the backlog a running master was configured with", () => {
  it("reads gunicorn's argv out of the interpreter's cmdline", () => {
    expect(gunicornArgv(nul("/usr/bin/python3", "/usr/bin/gunicorn", "-w", "2", "app:app"))).toEqual([
      "/usr/bin/gunicorn",
      "-w",
      "2",
      "app:app",
    ]);
    expect(gunicornArgv(nul("python3.11", "-m", "gunicorn", "app:app"))).toEqual([
      "python3.11",
      "-m",
      "gunicorn",
      "app:app",
    ]);
  });

  it("resolves defaults < config file < GUNICORN_CMD_ARGS < command line, as gunicorn does", () => {
    const cmdline = nul("/usr/bin/python3", "/usr/bin/gunicorn", "-c", "conf/g.py", "app:app");
    const master = { cmdline, environ: nul("PATH=/usr/bin"), cwd: "/srv/app" };
    expect(configPath(master)).toBe("/srv/app/conf/g.py");
    expect(masterBacklog(master, "workers = 2\nbacklog = 128\n")).toBe(128);
    const env = { ...master, environ: nul("GUNICORN_CMD_ARGS=--backlog 32") };
    expect(masterBacklog(env, "backlog = 128\n")).toBe(32);
    const cli = { ...env, cmdline: nul("/usr/bin/gunicorn", "--backlog=16", "-c", "conf/g.py", "app:app") };
    expect(masterBacklog(cli, "backlog = 128\n")).toBe(16);
  });

  it("falls back to gunicorn's 2048, and to ./gunicorn.conf.py in the master's directory", () => {
    const master = { cmdline: nul("/usr/bin/gunicorn", "app:app"), environ: null, cwd: "/srv/app" };
    expect(configPath(master)).toBe("/srv/app/gunicorn.conf.py");
    expect(masterBacklog(master, null)).toBe(2048);
    expect(configPath({ ...master, cwd: null })).toBeNull();
    expect(configPath({ ...master, cmdline: nul("gunicorn", "-c", "python:conf", "app:app") })).toBeNull();
  });
});
