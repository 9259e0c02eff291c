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
      '{"hook":"pre_request","pid":1,"ppid":1,"time":1,"busy":1.5}',
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
        hook: fc.constantFrom(...HOOK_NAMES),
        pid: fc.integer({ min: 1, max: 2 ** 22 }),
        ppid: fc.integer({ min: 0, max: 2 ** 22 }),
        time: fc.double({ min: 0, max: 2e9, noNaN: true }),
        worker: fc.integer({ min: 1 }),
        status: fc.option(fc.integer({ min: 0, max: 65535 })),
        new: fc.nat(),
        old: fc.option(fc.nat()),
        addresses: fc.array(fc.string()),
        busy: fc.nat(),
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
