/**
 * Table-driven: every directory under test/fixtures/cgroup is a mini root (proc/, sys/) with an
 * expected.json of dotted Resources paths. Detection runs through the real rooted reader.
 */
import { describe, expect, test } from "vitest";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { detect } from "../../../../src/core/resources/detect.js";
import { rootedReader } from "../../../../src/adapters/resources/root-fs.js";
import { repoRoot } from "../../../helpers/gunicorns.js";

const fixtures = join(repoRoot, "test", "fixtures", "cgroup");
const cases = readdirSync(fixtures)
  .filter((name) => statSync(join(fixtures, name)).isDirectory())
  .sort();

function at(value: unknown, dotted: string): unknown {
  // sources keys themselves contain dots: "sources.memory.limitBytes.source" → sources["memory.limitBytes"].source
  const sources = /^sources\.(.+)\.(source|path|reason)$/.exec(dotted);
  if (sources)
    return (value as { sources: Record<string, Record<string, unknown> | undefined> }).sources[sources[1]!]?.[
      sources[2]!
    ];
  return dotted
    .split(".")
    .reduce<unknown>(
      (node, key) =>
        node === null || node === undefined ? undefined : (node as Record<string, unknown>)[key],
      value,
    );
}

describe("detect on fixture trees", () => {
  test("there are fixture cases", () => {
    expect(cases.length).toBeGreaterThan(30);
  });
  test.each(cases)("%s", (name) => {
    const expected = JSON.parse(readFileSync(join(fixtures, name, "expected.json"), "utf8")) as Record<
      string,
      unknown
    > & {
      _input: { affinityCpus: number };
      _warnings?: string;
    };
    const resources = detect({
      read: rootedReader(join(fixtures, name)),
      affinityCpus: expected._input.affinityCpus,
      affinityFromStatus: true,
    });
    for (const [key, want] of Object.entries(expected)) {
      if (key.startsWith("_")) continue;
      expect(at(resources, key), `${name}: ${key}`).toEqual(want);
    }
    if (expected._warnings) expect(resources.warnings.join("\n"), name).toContain(expected._warnings);
    // The JSON contract: every contract field is present, and it survives a JSON round trip.
    expect(JSON.parse(JSON.stringify(resources))).toEqual(resources);
    expect(resources.sources["memory.limitBytes"]).toBeDefined();
    expect(resources.sources["cpu.quota"]).toBeDefined();
    expect(resources.cpu.effective).toBeGreaterThan(0);
  });
});
