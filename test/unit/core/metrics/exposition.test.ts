import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { escapeLabelValue, exposition, formatValue } from "../../../../src/core/metrics/exposition.js";

interface ParsedFamily {
  name: string;
  help: string;
  type: string;
  metrics: { value: string; labels?: Record<string, string> }[];
}
const parsePrometheus = createRequire(import.meta.url)("parse-prometheus-text-format") as (
  text: string,
) => ParsedFamily[];

describe("exposition", () => {
  it("writes HELP, TYPE and samples, skipping unknown values and empty families", () => {
    const text = exposition([
      { name: "a_bytes", help: "A.", type: "gauge", samples: [{ value: 1 }, { value: null }] },
      {
        name: "b_total",
        help: "B.",
        type: "counter",
        samples: [
          { labels: { kind: "x" }, value: 2.5 },
          { labels: { kind: "y" }, value: 0 },
        ],
      },
      { name: "c", help: "C.", type: "gauge", samples: [{ value: undefined }] },
    ]);
    expect(text).toBe(
      '# HELP a_bytes A.\n# TYPE a_bytes gauge\na_bytes 1\n# HELP b_total B.\n# TYPE b_total counter\nb_total{kind="x"} 2.5\nb_total{kind="y"} 0\n',
    );
  });

  it("escapes label values and help text per the format", () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    const text = exposition([
      { name: "m", help: "line\\one\ntwo", type: "gauge", samples: [{ labels: { l: 'q"\\\n' }, value: 1 }] },
    ]);
    expect(text).toContain("# HELP m line\\\\one\\ntwo\n");
    expect(text).toContain('m{l="q\\"\\\\\\n"} 1\n');
  });

  it("writes special floats the Go way", () => {
    expect([NaN, Infinity, -Infinity, 0.1, 1e21].map(formatValue)).toEqual([
      "NaN",
      "+Inf",
      "-Inf",
      "0.1",
      "1e+21",
    ]);
  });

  it("rejects bad metric and label names", () => {
    expect(() => exposition([{ name: "1x", help: "", type: "gauge", samples: [{ value: 1 }] }])).toThrow(
      RangeError,
    );
    expect(() =>
      exposition([{ name: "x", help: "", type: "gauge", samples: [{ labels: { "a-b": "1" }, value: 1 }] }]),
    ).toThrow(RangeError);
  });

  it("round-trips any label value and number through a Prometheus parser", () => {
    fc.assert(
      fc.property(fc.string(), fc.double({ noNaN: true, noDefaultInfinity: true }), (label, value) => {
        const [family] = parsePrometheus(
          exposition([{ name: "g", help: "h", type: "gauge", samples: [{ labels: { l: label }, value }] }]),
        );
        expect(family!.metrics[0]!.labels).toEqual({ l: label });
        expect(Number(family!.metrics[0]!.value)).toBe(value === 0 ? 0 : value);
      }),
    );
  });
});
