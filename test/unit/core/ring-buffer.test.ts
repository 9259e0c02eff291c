import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { RingBuffer } from "../../../src/core/ring-buffer.js";

describe("RingBuffer", () => {
  it("keeps the newest items with increasing sequence numbers", () => {
    const ring = new RingBuffer<string>(3);
    expect(ring.toArray()).toEqual([]);
    expect(["a", "b", "c", "d"].map((x) => ring.push(x))).toEqual([1, 2, 3, 4]);
    expect(ring.toArray()).toEqual([
      { seq: 2, item: "b" },
      { seq: 3, item: "c" },
      { seq: 4, item: "d" },
    ]);
    expect(ring.size).toBe(3);
    expect(ring.lastSeq).toBe(4);
  });

  it("answers since(seq) with what came after, the next cursor and what was dropped", () => {
    const ring = new RingBuffer<number>(3);
    for (let i = 1; i <= 5; i++) ring.push(i * 10);
    expect(ring.since(3)).toEqual({
      entries: [
        { seq: 4, item: 40 },
        { seq: 5, item: 50 },
      ],
      next: 5,
      dropped: 0,
    });
    expect(ring.since(5)).toEqual({ entries: [], next: 5, dropped: 0 });
    expect(ring.since(0)).toMatchObject({ next: 5, dropped: 2 });
    expect(ring.since(1).entries.map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(ring.since(99)).toEqual({ entries: [], next: 5, dropped: 0 });
    expect(ring.since(2, 1)).toEqual({ entries: [{ seq: 3, item: 30 }], next: 3, dropped: 0 });
  });

  it("rejects a capacity that is not a positive integer", () => {
    expect(() => new RingBuffer(0)).toThrow(RangeError);
  });

  it("behaves like the tail of an unbounded list", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.integer(), { maxLength: 60 }),
        fc.nat(70),
        (capacity, items, since) => {
          const ring = new RingBuffer<number>(capacity);
          for (const item of items) ring.push(item);
          const all = items.map((item, i) => ({ seq: i + 1, item }));
          const kept = all.slice(Math.max(0, all.length - capacity));
          expect(ring.toArray()).toEqual(kept);
          const result = ring.since(since);
          expect(result.entries).toEqual(kept.filter((e) => e.seq > since));
          expect(result.dropped).toBe(all.filter((e) => e.seq > since).length - result.entries.length);
        },
      ),
    );
  });
});
