import { execFileSync } from "node:child_process";
import { closeSync, constants, mkdtempSync, openSync, rmSync } from "node:fs";
import { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import {
  hookChannelEnv,
  HOOK_FD,
  openUpstreamChannel,
  readHookRecords,
} from "../../../../src/adapters/run/hook-channel.js";
import type { HookRecord } from "../../../../src/core/events/hook-record.js";

const line = (hook: string, pid: number): string => JSON.stringify({ hook, pid, ppid: 1, time: 1 }) + "\n";

describe("hook channel", () => {
  it("names fd 3 in GWARDEN_EVENT_FD", () => {
    expect(HOOK_FD).toBe(3);
    expect(hookChannelEnv()).toEqual({ GWARDEN_EVENT_FD: "3" });
  });

  it("joins partial chunks into lines, ignores junk, and flushes a last line on end", async () => {
    const stream = new PassThrough();
    const records: HookRecord[] = [];
    const junk: string[] = [];
    let ended = false;
    readHookRecords(stream, (r) => records.push(r), {
      onJunk: (l) => junk.push(l),
      onEnd: () => (ended = true),
    });
    const text =
      line("on_starting", 10) + "garbage\n\n" + line("post_fork", 11) + line("on_exit", 10).trimEnd();
    for (let i = 0; i < text.length; i += 7) stream.write(Buffer.from(text.slice(i, i + 7)));
    stream.end();
    await new Promise((resolve) => stream.on("close", resolve));
    expect(records.map((r) => [r.hook, r.pid])).toEqual([
      ["on_starting", 10],
      ["post_fork", 11],
      ["on_exit", 10],
    ]);
    expect(junk).toEqual(["garbage"]);
    expect(ended).toBe(true);
  });

  it("drops an over-long line without a newline and recovers at the next one", async () => {
    const stream = new PassThrough();
    const records: HookRecord[] = [];
    readHookRecords(stream, (r) => records.push(r));
    stream.write("x".repeat(70_000));
    stream.write("still the same junk line\n" + line("on_exit", 5));
    stream.end();
    await new Promise((resolve) => stream.on("close", resolve));
    expect(records.map((r) => r.hook)).toEqual(["on_exit"]);
  });

  it("stops delivering after stop() but keeps draining", async () => {
    const stream = new PassThrough();
    const records: HookRecord[] = [];
    const stop = readHookRecords(stream, (r) => records.push(r));
    stream.write(line("on_starting", 1));
    await new Promise((resolve) => setImmediate(resolve));
    stop();
    stream.write(line("on_exit", 1));
    stream.end();
    await new Promise((resolve) => stream.on("close", resolve));
    expect(records.map((r) => r.hook)).toEqual(["on_starting"]);
  });
});

describe("the upstream channel (gwarden run under the lab)", () => {
  it("is off without GWARDEN_EVENT_FD, or when the fd is a regular file", () => {
    expect(openUpstreamChannel({})).toBeNull();
    expect(openUpstreamChannel({ GWARDEN_EVENT_FD: "nope" })).toBeNull();
    const dir = mkdtempSync(join(tmpdir(), "gwarden-upstream-"));
    const fd = openSync(join(dir, "file"), "w");
    try {
      expect(openUpstreamChannel({ GWARDEN_EVENT_FD: String(fd) })).toBeNull();
    } finally {
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("passes records up a pipe, one line each, readable by readHookRecords", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gwarden-upstream-"));
    const fifo = join(dir, "fifo");
    execFileSync("mkfifo", [fifo]);
    // The read end first, non-blocking (a blocking open would wait for a writer), read through libuv.
    const reader = new Socket({
      fd: openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK),
      readable: true,
      writable: false,
    });
    const records: HookRecord[] = [];
    readHookRecords(reader, (r) => records.push(r));
    const fd = openSync(fifo, "w");
    const forward = openUpstreamChannel({ GWARDEN_EVENT_FD: String(fd) });
    expect(forward).not.toBeNull();
    forward!({ hook: "post_worker_init", pid: 42, ppid: 41, time: 1 });
    forward!({ hook: "memory_guard", pid: 42, ppid: 41, time: 1.5, rss: 3, private: 2, budget: 1 });
    forward!({ hook: "child_exit", pid: 41, ppid: 1, time: 2, worker: 42, signal: 9 });
    for (let i = 0; i < 50 && records.length < 3; i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    reader.destroy();
    rmSync(dir, { recursive: true, force: true });
    expect(records.map((r) => [r.hook, r.pid, r.worker])).toEqual([
      ["post_worker_init", 42, undefined],
      ["memory_guard", 42, undefined],
      ["child_exit", 41, 42],
    ]);
  });
});
