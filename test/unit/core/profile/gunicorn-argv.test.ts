import { describe, expect, it } from "vitest";
import { managedValue, parseGunicornArgv } from "../../../../src/core/argv/gunicorn-argv.js";

describe("parseGunicornArgv", () => {
  it("splits SimpleLogin's command into launcher, spec, managed flags and the rest", () => {
    const cmd = parseGunicornArgv([
      "gunicorn",
      "wsgi:app",
      "-b",
      "0.0.0.0:7777",
      "-w",
      "2",
      "--timeout",
      "15",
    ]);
    expect(cmd).toEqual({
      launcher: ["gunicorn"],
      wrapper: [],
      program: ["gunicorn"],
      spec: "wsgi:app",
      chdir: null,
      userConfig: null,
      managed: [
        { name: "bind", flag: "-b", value: "0.0.0.0:7777" },
        { name: "workers", flag: "-w", value: "2" },
        { name: "timeout", flag: "--timeout", value: "15" },
      ],
      args: [],
    });
  });

  it("keeps the flags gwarden does not manage, in order, with their values", () => {
    const cmd = parseGunicornArgv([
      "gunicorn",
      "--chdir",
      "example",
      "-k",
      "gthread",
      "--env",
      "A=1",
      "-e",
      "B=2",
      "--pythonpath",
      "/x",
      "--preload",
      "--log-level=debug",
      "app:app",
      "--reload",
    ]);
    expect(cmd.spec).toBe("app:app");
    expect(cmd.chdir).toBe("example");
    expect(cmd.args).toEqual([
      "--chdir",
      "example",
      "-k",
      "gthread",
      "--env",
      "A=1",
      "-e",
      "B=2",
      "--pythonpath",
      "/x",
      "--log-level=debug",
      "--reload",
    ]);
    expect(cmd.managed).toEqual([{ name: "preload_app", flag: "--preload", value: null }]);
  });

  it("recognises `python -m gunicorn` and a path to gunicorn as launchers", () => {
    expect(parseGunicornArgv(["/usr/bin/python3", "-m", "gunicorn", "app:app"]).launcher).toEqual([
      "/usr/bin/python3",
      "-m",
      "gunicorn",
    ]);
    expect(parseGunicornArgv(["/opt/venv/bin/gunicorn", "app:app"]).launcher).toEqual([
      "/opt/venv/bin/gunicorn",
    ]);
    expect(parseGunicornArgv(["gunicorn3", "app:app"]).launcher).toEqual(["gunicorn3"]);
  });

  it("assumes `gunicorn` from PATH when the command starts with gunicorn's own arguments", () => {
    const cmd = parseGunicornArgv(["--chdir", "example", "app:app"]);
    expect(cmd.launcher).toEqual(["gunicorn"]);
    expect(cmd.spec).toBe("app:app");
  });

  it("reads glued values (`-w3`, `--workers=3`, `-cconf.py`) and remembers the user's config", () => {
    const cmd = parseGunicornArgv([
      "gunicorn",
      "-w3",
      "--threads=4",
      "-cconf.py",
      "-b",
      "unix:/run/x.sock",
      "--bind=:9000",
      "m:app",
    ]);
    expect(cmd.userConfig).toBe("conf.py");
    expect(managedValue(cmd, "workers")).toBe("3");
    expect(managedValue(cmd, "threads")).toBe("4");
    expect(managedValue(cmd, "bind")).toBe(":9000");
    expect(managedValue(cmd, "timeout")).toBeUndefined();
    expect(cmd.args).toEqual([]);
  });

  it("does not take the spec as the value of a flag that has none", () => {
    const cmd = parseGunicornArgv(["gunicorn", "--capture-output", "-D", "--reuse-port", "app:app"]);
    expect(cmd.spec).toBe("app:app");
    expect(cmd.args).toEqual(["--capture-output", "-D", "--reuse-port"]);
  });

  it("has no spec when a config file names the app (wsgi_app)", () => {
    const cmd = parseGunicornArgv(["gunicorn", "-c", "gunicorn.conf.py"]);
    expect(cmd.spec).toBeNull();
    expect(cmd.userConfig).toBe("gunicorn.conf.py");
  });
});

describe("parseGunicornArgv launchers", () => {
  it("takes an unknown first word as the program when a spec follows (so a missing program is reported)", () => {
    const cmd = parseGunicornArgv(["nogunicorn", "--chdir", "example", "app:app"]);
    expect(cmd.launcher).toEqual(["nogunicorn"]);
    expect(cmd.spec).toBe("app:app");
  });

  it("takes `python -m <anything>` as the launcher (a wrong module is reported, not run as args)", () => {
    expect(parseGunicornArgv(["/usr/bin/python3", "-m", "gunicornx", "app:app"]).launcher).toEqual([
      "/usr/bin/python3",
      "-m",
      "gunicornx",
    ]);
  });

  it("keeps a lone module as the spec", () => {
    const cmd = parseGunicornArgv(["wsgi", "--chdir", "/srv"]);
    expect(cmd.launcher).toEqual(["gunicorn"]);
    expect(cmd.spec).toBe("wsgi");
  });
});
