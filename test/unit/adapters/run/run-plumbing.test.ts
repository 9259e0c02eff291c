import { describe, expect, it } from "vitest";
import { createLineRelay } from "../../../../src/adapters/run/output-relay.js";
import { pid1Setup } from "../../../../src/adapters/run/pid1.js";

describe("output relay", () => {
  it("passes chunks through unchanged and hands over whole lines", () => {
    const out: string[] = [];
    const lines: string[] = [];
    const relay = createLineRelay(
      (t) => out.push(t),
      (l) => lines.push(l),
    );
    relay.push("[INFO] Boo");
    relay.push("ting worker\r\nsecond\nthi");
    relay.end();
    expect(out.join("")).toBe("[INFO] Booting worker\r\nsecond\nthi");
    expect(lines).toEqual(["[INFO] Booting worker", "second", "thi"]);
  });
});

describe("pid 1", () => {
  it("as PID 1 only, makes the master a subreaper through Debian's python and says what is left", () => {
    expect(pid1Setup(["gunicorn"], 4242)).toEqual({ launcher: ["gunicorn"], warning: null });
    const setup = pid1Setup(["gunicorn"], 1, (p) => p === "/usr/bin/python3" || p === "/usr/bin/tini");
    expect(setup.launcher.slice(0, 2)).toEqual(["/usr/bin/python3", "-c"]);
    expect(setup.launcher.slice(3)).toEqual(["gunicorn"]);
    expect(setup.warning).toContain('"/usr/bin/tini", "--"');
    const viaPython = pid1Setup(["/opt/venv/bin/python3", "-m", "gunicorn"], 1, () => true);
    expect(viaPython.launcher[0]).toBe("/opt/venv/bin/python3");
    expect(pid1Setup(["gunicorn"], 1, () => false).warning).toContain("docker run --init");
  });
});
