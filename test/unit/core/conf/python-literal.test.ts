import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { pyLiteral, pyString } from "../../../../src/core/conf/python-literal.js";
import { evalLiterals } from "./python-check.js";

describe("pyString", () => {
  it("escapes quotes, backslashes, control and non-ASCII characters", () => {
    expect(pyString('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(pyString("line\nbreak\r\t\0")).toBe('"line\\x0abreak\\x0d\\x09\\x00"');
    expect(pyString("é☃😀")).toBe('"\\xe9\\u2603\\U0001f600"');
    expect(pyString("\ud800")).toBe('"\\ud800"');
  });

  it("is pure printable ASCII on one line for any string", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => {
        expect(pyString(text)).toMatch(/^"[\x20-\x7e]*"$/);
      }),
    );
  });
});

describe("pyLiteral", () => {
  it("writes Python spellings of null, booleans, special floats, lists and dicts", () => {
    expect(pyLiteral(null)).toBe("None");
    expect(pyLiteral(true)).toBe("True");
    expect(pyLiteral(false)).toBe("False");
    expect(pyLiteral(NaN)).toBe('float("nan")');
    expect(pyLiteral(-Infinity)).toBe('float("-inf")');
    expect(pyLiteral(["a", 1, [undefined]])).toBe('["a", 1, [None]]');
    expect(pyLiteral({ a: 1, skip: undefined })).toBe('{"a": 1}');
  });

  it("refuses values that have no JSON shape", () => {
    expect(() => pyLiteral(() => 1)).toThrow(/Python literal/);
    expect(() => pyLiteral(new Date())).toThrow(/Python literal/);
  });

  it("evaluates in Python to the same JSON value (fast-check, one Python process per batch)", () => {
    const samples = fc.sample(fc.jsonValue({ maxDepth: 3 }), { numRuns: 300, seed: 42 });
    const unicode = fc.sample(fc.string({ unit: "binary", maxLength: 40 }), { numRuns: 300, seed: 7 });
    const all: unknown[] = [...samples, ...unicode];
    const back = evalLiterals(all.map((v) => pyLiteral(v)));
    expect(back).toEqual(all.map((v) => JSON.parse(JSON.stringify(v)) as unknown));
  });
});
