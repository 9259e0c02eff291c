/**
 * The cgroup sandbox against the real kernel (root on cgroup v1 here): `gwarden detect --json` run inside
 * a 256 MiB / 1 CPU sandbox reports exactly those limits; a process allocating past the limit is
 * OOM-killed and counted; removal leaves nothing behind, also when the owner exits or is terminated.
 */
import { afterEach, beforeAll, describe, expect, test } from "vitest";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createSandbox, type Sandbox } from "../../src/adapters/sandbox/cgroup-sandbox.js";
import { repoRoot, systemPython } from "../helpers/gunicorns.js";

const MiB = 1024 * 1024;
const cli = join(repoRoot, "dist", "cli.js");
const v1Memory = existsSync("/sys/fs/cgroup/memory/memory.limit_in_bytes");
const open: Sandbox[] = [];

async function sandbox(options: Parameters<typeof createSandbox>[0]): Promise<Sandbox> {
  const created = await createSandbox(options);
  open.push(created);
  return created;
}

function run(argv: string[]): {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
} {
  const result = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", cwd: repoRoot, timeout: 60_000 });
  return { status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

describe.skipIf(!v1Memory || process.getuid?.() !== 0)("cgroup sandbox (cgroup v1, root)", () => {
  beforeAll(() => {
    // The suite normally builds first; build here too when dist/ lacks what we spawn (errors elsewhere tolerated).
    if (!existsSync(cli) || !existsSync(join(repoRoot, "dist", "commands", "detect.js"))) {
      try {
        execFileSync("npx", ["tsc", "-p", "tsconfig.build.json", "--noEmitOnError", "false"], {
          cwd: repoRoot,
          stdio: "ignore",
        });
      } catch {
        // type errors in files still being written do not stop emitting ours
      }
    }
  }, 120_000);

  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.remove()));
  });

  test("detect --json inside a 256 MiB / 1 CPU sandbox reports exactly those limits", async () => {
    const box = await sandbox({ memoryBytes: 256 * MiB, cpus: 1, name: "detect" });
    const out = run(box.wrap([process.execPath, cli, "detect", "--json"]));
    expect(out.stderr).toBe("");
    expect(out.status).toBe(0);
    const resources = JSON.parse(out.stdout) as {
      memory: { limitBytes: number; usageBytes: number };
      cpu: { quota: number };
      cgroup: { version: string; memoryDir: string; cpuDir: string };
      sources: Record<string, { source: string }>;
    };
    expect(resources.memory.limitBytes).toBe(268435456);
    expect(resources.cpu.quota).toBe(1);
    // v1 controllers; systemd's hybrid layout adds an empty cgroup2 mount (this machine has one).
    const unified = readFileSync("/proc/self/mountinfo", "utf8").includes(" - cgroup2 ");
    expect(resources.cgroup.version).toBe(unified ? "hybrid" : "v1");
    expect(resources.cgroup.memoryDir).toBe(box.memoryDir);
    expect(resources.cgroup.cpuDir).toBe(box.cpuDir);
    expect(resources.sources["memory.limitBytes"]?.source).toBe("cgroup-v1");
    expect(resources.memory.usageBytes).toBeGreaterThan(0);
  });

  test("wrap() passes arguments through untouched (spaces, quotes, $, globs) and runs inside the groups", async () => {
    const box = await sandbox({ memoryBytes: 64 * MiB, cpus: 1, name: "wrap" });
    const argv = ["a b", "$HOME", "'q'", '"d"', "*", "-n", ""];
    const out = run(
      box.wrap([
        systemPython,
        "-c",
        "import sys, json; print(json.dumps(sys.argv[1:])); print(open('/proc/self/cgroup').read())",
        ...argv,
      ]),
    );
    expect(out.status).toBe(0);
    const [first, ...rest] = out.stdout.split("\n");
    expect(JSON.parse(first!)).toEqual(argv);
    expect(rest.join("\n")).toContain(`memory:/${box.name}`);
    expect(rest.join("\n")).toContain(`cpu:/${box.name}`);
  });

  test("a process allocating past the limit is OOM-killed and counted", async () => {
    const box = await sandbox({ memoryBytes: 128 * MiB, name: "oom" });
    expect(box.oomKills()).toBe(0);
    const out = run(box.wrap([systemPython, "-c", "b = bytearray(400 * 1024 * 1024); print('survived')"]));
    expect(out.signal).toBe("SIGKILL");
    expect(out.stdout).not.toContain("survived");
    expect(box.oomKills()).toBeGreaterThanOrEqual(1);
    expect(box.peakBytes()).toBeGreaterThan(100 * MiB);
    expect(box.peakBytes()).toBeLessThanOrEqual(128 * MiB);
  });

  test("remove() kills what is left, removes every directory, and is idempotent", async () => {
    const box = await sandbox({ memoryBytes: 64 * MiB, cpus: 0.5, name: "remove" });
    const [cmd, ...args] = box.wrap(["/bin/sleep", "300"]);
    const child = spawn(cmd!, args, { stdio: "ignore" });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once("exit", (_code, signal) => resolve(signal)),
    );
    for (let i = 0; i < 100 && box.pids().length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(box.pids()).toEqual([child.pid]);
    await box.remove();
    await box.remove();
    expect(await exited).toBe("SIGKILL");
    expect(existsSync(box.memoryDir)).toBe(false);
    expect(existsSync(box.cpuDir!)).toBe(false);
    expect(box.pids()).toEqual([]);
  });

  test("sandboxes still open are removed when the owner exits, and on SIGTERM", async () => {
    const script = (tail: string): string =>
      `import { createSandbox } from ${JSON.stringify(join(repoRoot, "dist", "adapters", "sandbox", "cgroup-sandbox.js"))};
       const s = await createSandbox({ memoryBytes: 64 * 1024 * 1024, cpus: 1, name: "hook" });
       process.stdout.write(JSON.stringify([s.memoryDir, s.cpuDir]) + "\\n"); ${tail}`;
    const exited = run([process.execPath, "--input-type=module", "-e", script("")]);
    const dirs = JSON.parse(exited.stdout) as string[];
    expect(dirs.some((d) => existsSync(d))).toBe(false);

    const child = spawn(
      process.execPath,
      ["--input-type=module", "-e", script("setInterval(() => {}, 1000);")],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    const line = await new Promise<string>((resolve) =>
      child.stdout.once("data", (chunk: Buffer) => resolve(chunk.toString())),
    );
    const live = JSON.parse(line) as string[];
    expect(live.every((d) => existsSync(d))).toBe(true);
    const signal = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once("exit", (_code, sig) => resolve(sig)),
    );
    child.kill("SIGTERM");
    expect(await signal).toBe("SIGTERM");
    expect(live.some((d) => existsSync(d))).toBe(false);
  });
});

describe("gwarden detect --root on a captured tree", () => {
  const fixture = join(repoRoot, "test", "fixtures", "cgroup", "v1-docker-no-cgroupns");
  beforeAll(() => {
    if (!existsSync(join(repoRoot, "dist", "commands", "detect.js"))) {
      try {
        execFileSync("npx", ["tsc", "-p", "tsconfig.build.json", "--noEmitOnError", "false"], {
          cwd: repoRoot,
          stdio: "ignore",
        });
      } catch {
        // errors in other files do not stop ours from being emitted
      }
    }
  }, 120_000);

  test("--json prints exactly one JSON document with the contract fields", () => {
    const out = run([process.execPath, cli, "detect", "--json", "--root", fixture]);
    expect(out.status).toBe(0);
    const doc = JSON.parse(out.stdout) as {
      memory: { limitBytes: number };
      cpu: { quota: number };
      cgroup: { version: string };
    };
    expect(doc.memory.limitBytes).toBe(268435456);
    expect(doc.cpu.quota).toBe(1.5);
    expect(doc.cgroup.version).toBe("v1");
  });

  test("the human report names the file each figure came from, and warns on host fallback", () => {
    const limited = run([process.execPath, cli, "detect", "--root", fixture]);
    expect(limited.stdout).toMatch(
      /memory limit\s+256 MiB\s+cgroup-v1 \/sys\/fs\/cgroup\/memory\/memory\.limit_in_bytes/,
    );
    const bare = run([
      process.execPath,
      cli,
      "detect",
      "--root",
      join(repoRoot, "test", "fixtures", "cgroup", "no-cgroup-mounts"),
    ]);
    expect(bare.stdout).toMatch(/warnings:\n {2}! memory: no usable cgroup memory controller/);
  });

  test("a --root that is not a directory is a usage error", () => {
    const out = run([process.execPath, cli, "detect", "--root", join(repoRoot, "no-such-dir")]);
    expect(out.status).toBe(2);
    expect(out.stderr).toContain("--root");
  });
});
