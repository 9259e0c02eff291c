/**
 * The sampler against a real gunicorn (Debian's 20.1, 4 sync workers, the tiny app in
 * test/fixtures/wsgi-sampler): it must find exactly the workers, read their memory, and see the
 * accept backlog rise when more slow requests are held open than there are workers.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, connect, type Socket } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSampler } from "../../src/adapters/run/sampler.js";
import { repoRoot, systemPython } from "../helpers/gunicorns.js";

const WORKERS = 4;
let gunicorn: ChildProcess;
let port: number;
const held: Socket[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

function childrenOf(pid: number): number[] {
  const text = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8");
  return text
    .split(/\s+/)
    .filter(Boolean)
    .map(Number)
    .sort((a, b) => a - b);
}

async function until<T>(
  what: string,
  probe: () => T | null | undefined | false,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function canConnect(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.destroy();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });
}

beforeAll(async () => {
  port = await freePort();
  gunicorn = spawn(
    systemPython,
    ["-m", "gunicorn", "-w", String(WORKERS), "-b", `127.0.0.1:${port}`, "--backlog", "64", "app:app"],
    {
      cwd: join(repoRoot, "test", "fixtures", "wsgi-sampler"),
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let log = "";
  gunicorn.stderr!.on("data", (chunk: Buffer) => (log += chunk.toString()));
  await until(
    `${WORKERS} booted workers (log so far: ${log})`,
    () =>
      (log.match(/Booting worker/g) ?? []).length >= WORKERS && childrenOf(gunicorn.pid!).length === WORKERS,
  );
  let up = false;
  while (!up) up = await canConnect();
});

afterAll(async () => {
  for (const socket of held) socket.destroy();
  if (gunicorn.exitCode === null) {
    const exited = new Promise((resolve) => gunicorn.once("exit", resolve));
    gunicorn.kill("SIGTERM");
    await exited;
  }
});

describe("sampler against a real gunicorn", () => {
  it("finds exactly the workers and reads their memory and CPU", () => {
    const sampler = createSampler({ masterPid: gunicorn.pid!, ports: [port], configuredBacklog: 64 });
    const sample = sampler.sampleOnce();
    expect(sample.master?.pid).toBe(gunicorn.pid);
    expect(sample.workers.map((w) => w.pid)).toEqual(childrenOf(gunicorn.pid!));
    expect(sample.workers).toHaveLength(WORKERS);
    for (const w of [sample.master!, ...sample.workers]) {
      expect(w.memory.rss).toBeGreaterThan(0);
      expect(w.memory.uss).toBeGreaterThan(0);
      expect(w.memory.uss!).toBeLessThanOrEqual(w.memory.rss!);
      expect(w.memory.pss!).toBeLessThanOrEqual(w.memory.rss!);
      expect(w.cpuSeconds).toBeGreaterThanOrEqual(0);
    }
    expect(sample.self.pid).toBe(process.pid);
    expect(sample.self.memory.anon).toBeGreaterThan(0);
    expect(sample.backlog).toEqual({ queued: 0, max: 64, listeners: 1 });
    expect(sample.cgroup?.usageBytes ?? sample.cgroup?.limitBytes ?? null).not.toBeNull();
  });

  it("sees the listen backlog rise when more slow requests are held than workers", async () => {
    const sampler = createSampler({ masterPid: gunicorn.pid!, ports: [port], configuredBacklog: 64 });
    const extra = 3;
    for (let i = 0; i < WORKERS + extra; i++) {
      const socket = connect(port, "127.0.0.1", () =>
        socket.write("GET /sleep?s=5 HTTP/1.0\r\nHost: x\r\n\r\n"),
      );
      socket.on("error", () => undefined);
      socket.on("data", () => undefined);
      held.push(socket);
    }
    const queued = await until(
      "a backlog of the extra connections",
      () => {
        const q = sampler.sampleOnce().backlog?.queued ?? 0;
        return q >= extra ? q : null;
      },
      4000,
    );
    expect(queued).toBe(extra);
    for (const socket of held.splice(0)) socket.destroy();
  });

  it("costs under 1 % of a core at 1 Hz with 4 workers (CPU time per sample)", () => {
    const measure = (memoryIntervalMs: number, withCgroup = false) => {
      let t = 0;
      const sampler = createSampler({
        masterPid: gunicorn.pid!,
        ports: [port],
        configuredBacklog: 64,
        memoryIntervalMs,
        now: () => (t += 500),
        readCgroup: withCgroup ? undefined : () => null,
      });
      for (let i = 0; i < 10; i++) sampler.sampleOnce();
      const runs = 100;
      const cpu = process.cpuUsage();
      const wall = performance.now();
      for (let i = 0; i < runs; i++) sampler.sampleOnce();
      const used = process.cpuUsage(cpu);
      return { cpuMs: (used.user + used.system) / 1000 / runs, wallMs: (performance.now() - wall) / runs };
    };
    const spread = measure(5000);
    const everyTick = measure(1000);
    const cgroup = measure(5000, true);
    console.log(
      `sampler, master + ${WORKERS} workers + self + backlog: ${spread.cpuMs.toFixed(3)} ms CPU (${spread.wallMs.toFixed(3)} ms wall) per sample with smaps_rollup every 5 s; ` +
        `${everyTick.cpuMs.toFixed(3)} ms CPU (${everyTick.wallMs.toFixed(3)} ms wall) with smaps_rollup every tick; ${cgroup.cpuMs.toFixed(3)} ms CPU with smaps every 5 s + detectResources()`,
    );
    expect(spread.cpuMs).toBeLessThan(10);
  });
});
