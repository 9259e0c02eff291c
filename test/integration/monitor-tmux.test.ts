/**
 * `gwarden monitor` end to end in a real terminal: tmux (fixed 100×30, UTF-8) runs the built CLI
 * against a real gunicorn (Debian's 20.1, 3 sync workers, in a 256 MiB cgroup), attached by pid, and
 * through the API of a real `gwarden run` (512 MiB cgroup, workers as planned). The screen must show the worker rows (their pids), the memory
 * bar against the limit, and the death of a worker the test SIGKILLs; `q` must quit and leave the
 * alternate screen.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../helpers/gunicorns.js";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  childrenOf,
  cli,
  masterOf,
  MiB,
  plannedWorkers,
  startBoxed,
  until,
  type Boxed,
} from "./monitor-harness.js";

const SOCKET = `gwarden-monitor-test-${process.pid}`;
const SESSION = "mon";
const boxes: Boxed[] = [];

function tmux(...args: string[]): string {
  return execFileSync("tmux", ["-L", SOCKET, ...args], {
    encoding: "utf8",
    env: { ...process.env, LANG: "C.UTF-8", NO_COLOR: "" },
  });
}

function screen(): string {
  return tmux("capture-pane", "-p", "-t", SESSION);
}

function startMonitor(args: string, env = ""): void {
  const command = `${env}${process.execPath} ${cli} monitor ${args} --interval 1s; echo MONITOR-EXITED rc=$?; sleep 120`;
  tmux("-u", "new-session", "-d", "-s", SESSION, "-x", "100", "-y", "30", command);
}

function stopTmux(): void {
  try {
    tmux("kill-server");
  } catch {
    // no server left
  }
}

/** The lines of the events section of the screen. */
function eventLines(text: string): string[] {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.startsWith("events, last 60 s"));
  const end = lines.findIndex((l, i) => i > start && l.startsWith("verdict:"));
  return start < 0 ? [] : lines.slice(start + 1, end < 0 ? undefined : end);
}

/** Keeps a capture for people to look at (test-results/ is ignored by git). */
function keep(name: string, text: string): void {
  const dir = join(repoRoot, "test-results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), text);
}

async function drive(master: number, expected: number, args: string): Promise<void> {
  const mode = args.startsWith("--pid") ? "pid" : "url";
  const workers = await until(`${expected} workers`, () =>
    childrenOf(master).length === expected ? childrenOf(master) : null,
  );
  startMonitor(args);
  // worker rows: every pid in the table, with its state
  const first = await until("the worker rows", () => {
    const text = screen();
    return workers.every((pid) => new RegExp(`^\\s+${pid} (ready|busy|booting)\\s`, "m").test(text))
      ? text
      : null;
  });
  expect(tmux("display-message", "-p", "-t", SESSION, "#{alternate_on}").trim()).toBe("1");
  // the memory bar against the gunicorn cgroup's limit: the monitor itself runs outside that cgroup
  // (in tmux, unlimited), so this also proves the detection read /proc/<master>/cgroup, not /proc/self
  expect(first).toMatch(/^memory \[█+[▒░]+\] \d+(\.\d)? MiB \/ (256|512) MiB \d+%$/m);
  expect(first).toMatch(/limit (256|512) MiB · usage /);
  for (const line of first.split("\n")) expect([...line].length).toBeLessThanOrEqual(100);

  // a worker the test kills shows up as an event, and its replacement as a row
  const victim = workers[workers.length - 1]!;
  process.kill(victim, "SIGKILL");
  const after = await until("the kill in the events", () => {
    const text = screen();
    return eventLines(text).some((l) => l.includes(String(victim)) && /died|killed/.test(l)) ? text : null;
  });
  keep(`monitor-${mode}-start.txt`, first);
  keep(`monitor-${mode}-after-kill.txt`, after);
  expect(after).toMatch(/● (DEGRADED|FAILING)/);
  expect(after).toMatch(/^ {2}! .*(died|killed|SIGKILL|no worker)/m);
  const replacement = await until("the replacement worker", () =>
    childrenOf(master).find((pid) => !workers.includes(pid)),
  );
  await until("the replacement's row", () => new RegExp(`^\\s+${replacement} `, "m").test(screen()));

  // q quits, the terminal leaves the alternate screen and the monitor exits 0
  tmux("send-keys", "-t", SESSION, "q");
  const done = await until(
    "the monitor to exit",
    () => (/MONITOR-EXITED rc=\d+/.exec(screen()) ?? [null])[0],
  );
  expect(done).toBe("MONITOR-EXITED rc=0");
  expect(tmux("display-message", "-p", "-t", SESSION, "#{alternate_on}").trim()).toBe("0");
  expect(screen()).not.toContain("gwarden monitor ·");
}

afterEach(() => stopTmux());
afterAll(async () => {
  stopTmux();
  for (const box of boxes) await box.close();
});

describe("gwarden monitor in tmux", () => {
  it("attaches to a bare gunicorn master by pid", async () => {
    const box = await startBoxed({ memoryBytes: 256 * MiB, workers: 3, run: false, name: "monitor-pid" });
    boxes.push(box);
    const master = await masterOf(box, false);
    await drive(master, 3, `--pid ${master}`);
  });

  it("reads a real gwarden run through its API", async () => {
    const box = await startBoxed({ memoryBytes: 512 * MiB, run: true, name: "monitor-api" });
    boxes.push(box);
    const master = await masterOf(box, true);
    // the same accept queue has the same limit whichever way the monitor reads it
    const backlogMax = (args: string[]) => {
      const out = execFileSync(process.execPath, [cli, "monitor", ...args, "--once"], { encoding: "utf8" });
      return /backlog \d+\/(\d+|\?)/.exec(out)?.[1];
    };
    const viaApi = backlogMax(["--url", `http://127.0.0.1:${box.apiPort}`]);
    expect(viaApi).toMatch(/^\d+$/);
    expect(backlogMax(["--pid", String(master)])).toBe(viaApi);
    await drive(master, await plannedWorkers(box), `--url http://127.0.0.1:${box.apiPort}`);
  });

  it("colours unless NO_COLOR, and restores the terminal on SIGTERM", async () => {
    const box = await startBoxed({ memoryBytes: 256 * MiB, workers: 2, run: false, name: "monitor-color" });
    boxes.push(box);
    const master = await masterOf(box, false);
    await until("2 workers", () => childrenOf(master).length === 2);
    const sgr = {
      test: (text: string) =>
        text
          .split("\u001b[")
          .slice(1)
          .some((part) => /^[0-9;]*m/.test(part)),
    };
    for (const [env, coloured] of [
      ["", true],
      ["NO_COLOR=1 ", false],
    ] as const) {
      startMonitor(`--pid ${master}`, env);
      await until("the frame", () => screen().includes("gwarden monitor ·"));
      const escaped = tmux("capture-pane", "-p", "-e", "-t", SESSION);
      expect(sgr.test(escaped), env || "colour").toBe(coloured);
      const monitorPid = Number(tmux("display-message", "-p", "-t", SESSION, "#{pane_pid}").trim());
      const node = await until("the monitor process", () => childrenOf(monitorPid)[0]);
      process.kill(node, "SIGTERM");
      const done = await until(
        "the monitor to exit",
        () => (/MONITOR-EXITED rc=\d+/.exec(screen()) ?? [null])[0],
      );
      expect(done).toBe("MONITOR-EXITED rc=143");
      expect(tmux("display-message", "-p", "-t", SESSION, "#{alternate_on}").trim()).toBe("0");
      expect(tmux("display-message", "-p", "-t", SESSION, "#{cursor_flag}").trim()).toBe("1");
      stopTmux();
    }
  });

  it("prints plain snapshots when piped, without escape codes", async () => {
    const box = await startBoxed({ memoryBytes: 256 * MiB, workers: 2, run: false, name: "monitor-piped" });
    boxes.push(box);
    const master = await masterOf(box, false);
    await until("2 workers", () => childrenOf(master).length === 2);
    const out = execFileSync(process.execPath, [cli, "monitor", "--pid", String(master), "--once"], {
      encoding: "utf8",
      env: { ...process.env, COLUMNS: "80" },
    });
    expect(out).not.toContain("\u001b");
    expect(out).not.toContain("q quit");
    for (const pid of childrenOf(master)) expect(out).toContain(` ${pid} ready`);
    // a reader that goes away ends the snapshots quietly: no EPIPE stack, exit 0
    const piped = spawnSync(
      "bash",
      [
        "-c",
        `"${process.execPath}" ${cli} monitor --pid ${master} --interval 200ms | head -n 2; echo "rc=\${PIPESTATUS[0]}"`,
      ],
      { encoding: "utf8", timeout: 30_000 },
    );
    expect(piped.stderr).toBe("");
    expect(piped.stdout).toMatch(/^gwarden monitor · pid \d+/);
    expect(piped.stdout.trim().split("\n").at(-1)).toBe("rc=0");
    expect(out).toMatch(/^memory \[█+[▒░]+\] .* \/ 256 MiB/m);
    const json = JSON.parse(
      execFileSync(process.execPath, [cli, "monitor", "--pid", String(master), "--json"], {
        encoding: "utf8",
      }),
    ) as {
      mode: string;
      snapshot: { workers: unknown[]; cgroup: { limitBytes: number } };
      verdict: { level: string };
    };
    expect(json).toMatchObject({
      mode: "proc",
      snapshot: { cgroup: { limitBytes: 256 * MiB } },
      verdict: { level: "healthy" },
    });
    expect(json.snapshot.workers).toHaveLength(2);
  });
});
