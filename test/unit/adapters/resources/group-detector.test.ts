/**
 * The master's group as gwarden follows it: a killed master is a zombie until Node reaps it, and a
 * zombie's /proc/<pid>/cgroup names the root group. Read then, the OOM counter of a master killed by
 * the kernel was the root's, so its death went unexplained (and adaptive control saw the host's 2 GiB
 * "of 300 MiB"). On the captured v1 tree of test/fixtures/cgroup/v1-host-root (limit 512 MiB, 2 OOM
 * kills in /user.slice/app).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { groupDetector } from "../../../../src/adapters/resources/resources.js";
import { rootedReader } from "../../../../src/adapters/resources/root-fs.js";
import type { Reader } from "../../../../src/core/resources/probe.js";
import { repoRoot } from "../../../helpers/gunicorns.js";

const tree = join(repoRoot, "test/fixtures/cgroup/v1-host-root");
const captured = (name: string): string => readFileSync(join(tree, "proc/self", name), "utf8");

function machine() {
  const files = new Map<string, string | null>([
    ["/proc/42/cgroup", captured("cgroup")],
    ["/proc/42/mountinfo", captured("mountinfo")],
    ["/proc/42/status", "Name:\tgunicorn\nState:\tS (sleeping)\nPid:\t42\n"],
  ]);
  const base = rootedReader(tree);
  const read: Reader = (path) => {
    if (!files.has(path)) return base(path);
    const text = files.get(path);
    return text === null || text === undefined ? { ok: false, reason: "EINVAL" } : { ok: true, text };
  };
  const die = () => {
    files.set("/proc/42/cgroup", "11:memory:/\n4:cpu,cpuacct:/\n1:name=systemd:/\n");
    files.set("/proc/42/mountinfo", null);
    files.set("/proc/42/status", "Name:\tgunicorn\nState:\tZ (zombie)\nPid:\t42\n");
  };
  const move = (path: string) =>
    files.set("/proc/42/cgroup", captured("cgroup").replace("/user.slice/app", path));
  return { read, die, move };
}

describe("groupDetector", () => {
  it("keeps the group read while the process lived once it is a zombie", () => {
    const m = machine();
    const detect = groupDetector(42, m.read);
    expect(detect().cgroup.memoryDir).toBe("/sys/fs/cgroup/memory/user.slice/app");
    m.die();
    const after = detect();
    expect(after.cgroup.memoryDir).toBe("/sys/fs/cgroup/memory/user.slice/app");
    expect(after.memory.limitBytes).toBe(536870912);
    expect(after.oom.kills).toBe(2);
  });

  it("follows a live process that moves into its group (a master entering it from its config)", () => {
    const m = machine();
    m.move("/user.slice");
    const detect = groupDetector(42, m.read);
    expect(detect().cgroup.memoryDir).toBe("/sys/fs/cgroup/memory/user.slice");
    m.move("/user.slice/app");
    expect(detect().cgroup.memoryDir).toBe("/sys/fs/cgroup/memory/user.slice/app");
  });
});
