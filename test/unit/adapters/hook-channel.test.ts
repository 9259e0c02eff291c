import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { hookChannelEnv, HOOK_FD, readHookRecords } from "../../../src/adapters/hook-channel.js";
import type { HookRecord } from "../../../src/core/events/hook-record.js";

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
    readHookRecords(stream, (r) => records.push(r), { onJunk: (l) => junk.push(l), onEnd: () => (ended = true) });
    const text = line("on_starting", 10) + "garbage\n\n" + line("post_fork", 11) + line("on_exit", 10).trimEnd();
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
