import { EventEmitter } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { nodePlatform } from "../../../../src/adapters/platform/platform.js";
import { createShutdown, type SignalSource } from "../../../../src/adapters/platform/shutdown.js";

describe("the platform port", () => {
  const platform = nodePlatform();

  it("gives failures as values: a write's errno, a read's null, a kill of a gone pid", () => {
    const dir = mkdtempSync(join(tmpdir(), "gwarden-platform-"));
    try {
      expect(platform.writeText(join(dir, "a"), "x")).toBeNull();
      expect(readFileSync(join(dir, "a"), "utf8")).toBe("x");
      expect(platform.writeText(join(dir, "missing", "a"), "x")).toBe("ENOENT");
      expect(platform.readText(join(dir, "missing"))).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(platform.kill(2 ** 22 + 17, "SIGTERM")).toBe("gone");
  });

  it("runs a one-shot command to its end, result-shaped whether it worked or not", async () => {
    await expect(platform.run("sh", ["-c", "echo out; echo err >&2; exit 3"])).resolves.toEqual({
      ok: false,
      exitCode: 3,
      stdout: "out\n",
      stderr: "err\n",
      error: null,
    });
    const missing = await platform.run("/nonexistent/gwarden-test", []);
    expect(missing).toMatchObject({ ok: false, exitCode: null });
    expect(missing.error).not.toBeNull();
  });
});

class FakeProcess extends EventEmitter implements SignalSource {
  killedBy: string | null = null;
  die(signal: string): void {
    this.killedBy = signal;
  }
}

describe("the shutdown coordinator", () => {
  it("passes each stop to the listeners with its count and aborts its signal at the first", () => {
    const source = new FakeProcess();
    const shutdown = createShutdown(source);
    const seen: string[] = [];
    const off = shutdown.onStop((signal, count) => seen.push(`${signal}#${count}`));
    source.emit("SIGTERM");
    expect(shutdown.signal.aborted).toBe(true);
    source.emit("SIGINT");
    off();
    expect(seen).toEqual(["SIGTERM#1", "SIGINT#2"]);
    expect(source.killedBy).toBeNull();
  });

  it("with nobody listening, runs the exit cleanups and dies by the signal", () => {
    const source = new FakeProcess();
    const shutdown = createShutdown(source);
    const cleaned: string[] = [];
    shutdown.atExit(() => cleaned.push("cgroup"));
    const forget = shutdown.atExit(() => cleaned.push("never"));
    forget();
    source.emit("SIGINT");
    expect(cleaned).toEqual(["cgroup"]);
    expect(source.killedBy).toBe("SIGINT");
  });

  it("passes HUP-like signals only while subscribed", () => {
    const source = new FakeProcess();
    const shutdown = createShutdown(source);
    const seen: string[] = [];
    const off = shutdown.on("SIGHUP", () => seen.push("hup"));
    source.emit("SIGHUP");
    off();
    source.emit("SIGHUP");
    expect(seen).toEqual(["hup"]);
  });
});
