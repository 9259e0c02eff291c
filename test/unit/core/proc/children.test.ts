import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { parseChildren } from "../../../../src/core/proc/children.js";
import { capturedMaster, capturedWorkers, procFixture } from "./fixture.js";

describe("parseChildren", () => {
  it("reads the workers of a real gunicorn master", () => {
    const text = procFixture(
      "gunicorn-2-workers",
      String(capturedMaster),
      "task",
      String(capturedMaster),
      "children",
    );
    expect(parseChildren(text)).toEqual(capturedWorkers);
  });

  it("is empty for a childless process and skips junk", () => {
    expect(parseChildren("")).toEqual([]);
    expect(parseChildren("12 x -3 0 7\n")).toEqual([12, 7]);
  });

  it("round-trips any list of pids", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4_194_304 })), (pids) => {
        expect(parseChildren(pids.map((p) => `${p} `).join(""))).toEqual(pids);
      }),
    );
    fc.assert(fc.property(fc.string(), (text) => void parseChildren(text)));
  });
});
