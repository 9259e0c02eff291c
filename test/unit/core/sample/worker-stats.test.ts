import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { busySlots, parseWorkerStats, WORKER_STATS_SIZE } from "../../../../src/core/sample/worker-stats.js";
import { repoRoot } from "../../../helpers/gunicorns.js";

const fixture = (name: string): Buffer => readFileSync(join(repoRoot, "test/fixtures/stats", name));
const MiB = 1048576;

describe("parseWorkerStats (captured from a real gthread worker)", () => {
  it("reads a worker with two requests in flight", () => {
    const stats = parseWorkerStats(fixture("gthread-two-in-flight.stats"))!;
    expect(stats).toMatchObject({
      pid: 16852,
      ready: true,
      guard: true,
      retiring: false,
      requests: 2,
      inFlight: 2,
      slots: 4,
      budgetBytes: 256 * MiB,
      rollups: 1,
    });
    expect(stats.oldestStart).toBeGreaterThan(stats.forkedAt);
    expect(stats.lastEnd).toBeLessThan(stats.oldestStart!);
    expect(stats.updatedAt).toBeGreaterThanOrEqual(stats.oldestStart!);
    expect(stats.rssBytes).toBeGreaterThan(stats.privateBytes!);
    expect(stats.sharedBytes).toBeGreaterThan(0);
  });

  it("reads the same worker idle", () => {
    const stats = parseWorkerStats(fixture("gthread-idle.stats"))!;
    expect(stats).toMatchObject({ pid: 16852, requests: 4, inFlight: 0, oldestStart: null });
    expect(stats.lastEnd).toBeGreaterThan(
      parseWorkerStats(fixture("gthread-two-in-flight.stats"))!.updatedAt,
    );
  });

  it("rejects a copy torn by a concurrent update, a short read and other files", () => {
    const good = fixture("gthread-idle.stats");
    const with64 = (at: number, value: bigint): Buffer => {
      const copy = Buffer.from(good);
      copy.writeBigUInt64LE(value, at);
      return copy;
    };
    const seq = good.readBigUInt64LE(8);
    expect(parseWorkerStats(with64(8, seq + 1n)), "odd head: an update in progress").toBeNull();
    expect(parseWorkerStats(with64(120, seq + 2n)), "tail from a later update").toBeNull();
    const both = with64(8, seq + 2n);
    both.writeBigUInt64LE(seq + 2n, 120);
    expect(parseWorkerStats(both)).not.toBeNull();
    expect(parseWorkerStats(good.subarray(0, WORKER_STATS_SIZE - 1))).toBeNull();
    expect(parseWorkerStats(Buffer.alloc(WORKER_STATS_SIZE))).toBeNull();
    const other = Buffer.from(good);
    other.write("GWS2", 0, "latin1");
    expect(parseWorkerStats(other)).toBeNull();
    const nan = Buffer.from(good);
    nan.writeDoubleLE(Number.NaN, 40);
    expect(parseWorkerStats(nan)).toBeNull();
  });

  it("sums busy slots, never counting more than a worker's slots", () => {
    const a = parseWorkerStats(fixture("gthread-two-in-flight.stats"))!;
    const b = parseWorkerStats(fixture("gthread-idle.stats"))!;
    expect(busySlots([a, b])).toEqual({ busy: 2, slots: 8 });
    expect(busySlots([{ ...a, inFlight: 9 }])).toEqual({ busy: 4, slots: 4 });
  });
});
