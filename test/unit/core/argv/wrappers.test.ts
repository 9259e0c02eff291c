/**
 * Docker entrypoints put a wrapper before gunicorn (issue 12: "No gunicorn at setpriv"): gwarden keeps
 * the wrapper in the argv it launches and finds gunicorn, its spec and its flags after it.
 */
import { describe, expect, it } from "vitest";
import { parseGunicornArgv } from "../../../../src/core/argv/gunicorn-argv.js";

const APP = ["gunicorn", "-w", "3", "--chdir", "/srv/app", "app:app"];

describe("parseGunicornArgv after a wrapper", () => {
  it.each([
    [["setpriv", "--reuid=1000", "--regid=1000", "--init-groups"]],
    [["setpriv", "--reuid", "1000", "--regid", "1000", "--clear-groups", "--no-new-privs"]],
    [["runuser", "-u", "app", "--"]],
    [["runuser", "--user=app", "-g", "app"]],
    [["gosu", "app"]],
    [["gosu", "1000:1000"]],
    [["su-exec", "app:app"]],
    [["chpst", "-u", "app", "-m", "268435456"]],
    [["chpst", "-uapp:app", "-P"]],
    [["nice", "-n", "10"]],
    [["nice", "-n10"]],
    [["nice", "-10"]],
    [["nice", "--adjustment=5"]],
    [["/usr/bin/env", "-i", "PATH=/usr/bin", "LANG=C.UTF-8"]],
    [["env", "-u", "DEBUG", "-", "K=V"]],
    [["tini", "-g", "--"]],
    [["dumb-init", "--single-child", "-r", "15:2"]],
    [["env", "K=V", "gosu", "app", "nice", "-n", "5"]],
  ])("%j", (wrapper) => {
    const cmd = parseGunicornArgv([...wrapper, ...APP]);
    expect(cmd.wrapper).toEqual(wrapper);
    expect(cmd.program).toEqual(["gunicorn"]);
    expect(cmd.launcher).toEqual([...wrapper, "gunicorn"]);
    expect(cmd.spec).toBe("app:app");
    expect(cmd.chdir).toBe("/srv/app");
    expect(cmd.managed).toEqual([{ name: "workers", flag: "-w", value: "3" }]);
    expect(cmd.args).toEqual(["--chdir", "/srv/app"]);
  });

  it("finds `python -m gunicorn` and a venv's gunicorn after a wrapper", () => {
    const python = parseGunicornArgv(["gosu", "app", "/usr/bin/python3", "-m", "gunicorn", "app:app"]);
    expect(python.program).toEqual(["/usr/bin/python3", "-m", "gunicorn"]);
    expect(python.spec).toBe("app:app");
    const venv = parseGunicornArgv(["setpriv", "--reuid=app", "/opt/venv/bin/gunicorn", "app:app"]);
    expect(venv.program).toEqual(["/opt/venv/bin/gunicorn"]);
    expect(venv.launcher).toEqual(["setpriv", "--reuid=app", "/opt/venv/bin/gunicorn"]);
  });

  it("takes the word after a wrapper as the program even when it is not called gunicorn", () => {
    const cmd = parseGunicornArgv(["gosu", "app", "gunicorn-wrapper.sh", "app:app"]);
    expect(cmd.program).toEqual(["gunicorn-wrapper.sh"]);
    expect(cmd.spec).toBe("app:app");
  });

  it("leaves commands without a wrapper as they were", () => {
    const cmd = parseGunicornArgv(["/usr/bin/python3", "-m", "gunicorn", "app:app"]);
    expect(cmd.wrapper).toEqual([]);
    expect(cmd.program).toEqual(cmd.launcher);
  });
});
