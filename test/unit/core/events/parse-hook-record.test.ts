import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { HOOK_NAMES } from "../../../../src/core/events/hook-record.js";
import { parseHookRecord } from "../../../../src/core/events/parse-hook-record.js";

describe("parseHookRecord", () => {
  it("parses the lines the generated config writes", () => {
    expect(
      parseHookRecord('{"hook":"post_worker_init","pid":4242,"ppid":4200,"time":1764214000.123}'),
    ).toEqual({
      hook: "post_worker_init",
      pid: 4242,
      ppid: 4200,
      time: 1764214000.123,
    });
    expect(
      parseHookRecord(
        '{"hook":"child_exit","pid":10,"ppid":1,"time":1.5,"worker":11,"status":9,"exitcode":null,"signal":9}',
      ),
    ).toEqual({
      hook: "child_exit",
      pid: 10,
      ppid: 1,
      time: 1.5,
      worker: 11,
      status: 9,
      exitcode: null,
      signal: 9,
    });
    expect(
      parseHookRecord('{"hook":"nworkers_changed","pid":10,"ppid":1,"time":1,"new":2,"old":null}'),
    ).toMatchObject({
      new: 2,
      old: null,
    });
    expect(
      parseHookRecord(
        '{"hook":"when_ready","pid":10,"ppid":1,"time":1,"addresses":["http://127.0.0.1:8000"],"workerClass":"sync"}',
      ),
    ).toMatchObject({ addresses: ["http://127.0.0.1:8000"], workerClass: "sync" });
  });

  it("parses gwarden's own records: the memory guard and the master's kernel memory events", () => {
    expect(
      parseHookRecord(
        '{"hook":"memory_guard","pid":7,"ppid":6,"time":1,"rss":209715200,"private":157286400,"budget":150994944,"requests":42}',
      ),
    ).toEqual({
      hook: "memory_guard",
      pid: 7,
      ppid: 6,
      time: 1,
      rss: 209715200,
      private: 157286400,
      budget: 150994944,
      requests: 42,
    });
    const line = (fields: string): string => `{"hook":"memory_event","pid":6,"ppid":1,"time":2,${fields}}`;
    expect(
      parseHookRecord(
        line('"kind":"threshold","threshold":104857600,"direction":"up","usage":105000000,"limit":null'),
      ),
    ).toMatchObject({
      kind: "threshold",
      threshold: 104857600,
      direction: "up",
      usage: 105000000,
      limit: null,
    });
    expect(parseHookRecord(line('"kind":"oom","usage":1,"limit":2,"oomKill":1,"underOom":0'))).toMatchObject({
      kind: "oom",
      oomKill: 1,
      underOom: 0,
    });
    expect(
      parseHookRecord(
        line(
          '"kind":"psi","trigger":"some 100000 1000000","someAvg10":12.5,"fullAvg10":null,"usage":1,"limit":2',
        ),
      ),
    ).toMatchObject({ kind: "psi", trigger: "some 100000 1000000", someAvg10: 12.5, fullAvg10: null });
    expect(
      parseHookRecord(
        line('"kind":"events","events":{"high":72,"oom":0},"changed":["high"],"usage":1,"limit":2'),
      ),
    ).toMatchObject({ kind: "events", events: { high: 72, oom: 0 }, changed: ["high"] });
    expect(parseHookRecord(line('"kind":"high","high":1,"limit":2'))).toMatchObject({
      kind: "high",
      high: 1,
    });
    expect(
      parseHookRecord(line('"kind":"unavailable","what":"psi","reason":"read-only file system"')),
    ).toMatchObject({ kind: "unavailable", what: "psi", reason: "read-only file system" });
    // A record cut down to fit one line keeps what it could; its required figures may be gone.
    expect(parseHookRecord(line('"kind":"events","truncated":true'))).toMatchObject({ truncated: true });
  });

  it("ignores unknown fields and keeps userHookError", () => {
    expect(
      parseHookRecord('{"hook":"on_exit","pid":3,"ppid":1,"time":2,"future":1,"userHookError":"ValueError"}'),
    ).toEqual({
      hook: "on_exit",
      pid: 3,
      ppid: 1,
      time: 2,
      userHookError: "ValueError",
    });
  });

  it("returns null for junk, unknown hooks and fields of the wrong type", () => {
    for (const line of [
      "",
      "not json",
      "[]",
      "null",
      '{"hook":"pre_fork","pid":1,"ppid":1,"time":1}',
      '{"hook":"on_exit","pid":0,"ppid":1,"time":1}',
      '{"hook":"on_exit","pid":"1","ppid":1,"time":1}',
      '{"hook":"on_exit","pid":1,"ppid":1}',
      '{"hook":"child_exit","pid":1,"ppid":1,"time":1,"status":"9"}',
      '{"hook":"when_ready","pid":1,"ppid":1,"time":1,"addresses":[1]}',
      '{"hook":"pre_request","pid":1,"ppid":1,"time":1,"busy":1}',
      '{"hook":"memory_guard","pid":1,"ppid":1,"time":1,"rss":1,"private":1}',
      '{"hook":"memory_guard","pid":1,"ppid":1,"time":1,"rss":1,"private":-1,"budget":1}',
      '{"hook":"memory_event","pid":1,"ppid":1,"time":1}',
      '{"hook":"memory_event","pid":1,"ppid":1,"time":1,"kind":"quake"}',
      '{"hook":"memory_event","pid":1,"ppid":1,"time":1,"kind":"threshold","usage":1}',
      '{"hook":"memory_event","pid":1,"ppid":1,"time":1,"kind":"events","events":{"oom":"1"},"changed":[]}',
      '{"hook":"memory_event","pid":1,"ppid":1,"time":1,"kind":"unavailable","what":"psi"}',
      '{"hook":"memory_event","pid":1,"ppid":1,"time":1,"kind":"threshold","threshold":1,"usage":1,"direction":"left"}',
    ]) {
      expect(parseHookRecord(line), line).toBeNull();
    }
  });

  it("never throws, whatever the line (fast-check)", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: "binary" }),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        (line) => {
          const result = parseHookRecord(line);
          expect(result === null || typeof result === "object").toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("accepts every well-formed record and returns it unchanged (fast-check)", () => {
    const record = fc.record(
      {
        hook: fc.constantFrom(...HOOK_NAMES.filter((h) => !h.startsWith("memory_"))),
        pid: fc.integer({ min: 1, max: 2 ** 22 }),
        ppid: fc.integer({ min: 0, max: 2 ** 22 }),
        time: fc.double({ min: 0, max: 2e9, noNaN: true }),
        worker: fc.integer({ min: 1 }),
        status: fc.option(fc.integer({ min: 0, max: 65535 })),
        new: fc.nat(),
        old: fc.option(fc.nat()),
        addresses: fc.array(fc.string()),
      },
      { requiredKeys: ["hook", "pid", "ppid", "time"] },
    );
    fc.assert(
      fc.property(record, (r) => {
        expect(parseHookRecord(JSON.stringify(r))).toEqual(r);
      }),
    );
  });
});
