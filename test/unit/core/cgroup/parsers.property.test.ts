/** Property tests: no parser throws on arbitrary text, and detection never throws on arbitrary files. */
import { describe, expect, test } from "vitest";
import fc from "fast-check";
import { parseProcCgroup } from "../../../../src/core/cgroup/proc-cgroup.js";
import { parseMountInfo } from "../../../../src/core/cgroup/mountinfo.js";
import { parseCgroupNumber } from "../../../../src/core/cgroup/cgroup-number.js";
import { parseCpuMax, parseCfsQuota } from "../../../../src/core/cgroup/cpu-max.js";
import { parsePressure } from "../../../../src/core/cgroup/psi.js";
import { parseMemInfo } from "../../../../src/core/cgroup/meminfo.js";
import { countCpuList, affinityFromStatus } from "../../../../src/core/cgroup/cpu-list.js";
import { inactiveFile, hierarchicalLimit } from "../../../../src/core/cgroup/memory-stat.js";
import { parseKeyValues } from "../../../../src/core/cgroup/key-values.js";
import { detect } from "../../../../src/core/resources/detect.js";
import { resolveInMount } from "../../../../src/core/cgroup/mount-select.js";
import { isWithin } from "../../../../src/core/cgroup/cgroup-path.js";

// Text that looks a bit like the real files: digits, colons, slashes, spaces, dashes, newlines, words.
const fileLike = fc.oneof(
  fc.string(),
  fc
    .array(
      fc.constantFrom(
        "0",
        "1",
        "9",
        ":",
        "/",
        " ",
        "-",
        "\n",
        "max",
        "cgroup",
        "cgroup2",
        "memory",
        "=",
        "some",
        "avg10",
        "\\040",
        "..",
        "-1",
      ),
      { maxLength: 60 },
    )
    .map((parts) => parts.join("")),
);

const parsers: [string, (text: string) => unknown][] = [
  ["proc-cgroup", parseProcCgroup],
  ["mountinfo", parseMountInfo],
  ["cgroup-number", parseCgroupNumber],
  ["cpu.max", parseCpuMax],
  ["cfs", (t) => parseCfsQuota(t, t)],
  ["psi", parsePressure],
  ["meminfo", parseMemInfo],
  ["cpu-list", countCpuList],
  ["status", affinityFromStatus],
  [
    "memory.stat",
    (t) => [inactiveFile(t, "v1"), inactiveFile(t, "v2"), hierarchicalLimit(t, "hierarchical_memory_limit")],
  ],
  ["key-values", parseKeyValues],
];

describe("parsers never throw", () => {
  test.each(parsers)("%s", (_, parse) => {
    fc.assert(
      fc.property(fileLike, (text) => {
        parse(text);
      }),
      { numRuns: 500 },
    );
  });
});

describe("detect never throws", () => {
  test("on arbitrary file contents and read failures", () => {
    const result = fc.oneof(
      fileLike.map((text) => ({ ok: true as const, text })),
      fc
        .constantFrom("ENOENT: gone", "EACCES: denied", "EIO: broken")
        .map((reason) => ({ ok: false as const, reason })),
    );
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom(
            "/proc/self/cgroup",
            "/proc/self/mountinfo",
            "/proc/meminfo",
            "/sys/fs/cgroup/memory.max",
            "/sys/fs/cgroup/cpu.max",
            "/sys/fs/cgroup/memory.stat",
            "/sys/fs/cgroup/memory/memory.limit_in_bytes",
          ),
          result,
        ),
        fc.integer({ min: 1, max: 64 }),
        (files, affinity) => {
          const base: Record<string, string> = {
            "/proc/self/cgroup": "0::/\n4:memory:/\n",
            "/proc/self/mountinfo":
              "30 25 0:30 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n37 31 0:33 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n",
          };
          const resources = detect({
            read: (path) =>
              files[path] ??
              (base[path] !== undefined
                ? { ok: true, text: base[path] }
                : { ok: false, reason: "ENOENT: missing" }),
            affinityCpus: affinity,
          });
          expect(resources.cpu.effective).toBeGreaterThan(0);
          expect(resources.cpu.effective).toBeLessThanOrEqual(affinity);
          if (resources.memory.limitBytes !== null)
            expect(resources.memory.limitBytes).toBeGreaterThanOrEqual(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("mount-root vs cgroup-path resolution", () => {
  const segment = fc.constantFrom("a", "b", "ab", "..", ".", "", "docker", "x:y");
  const path = fc.array(segment, { maxLength: 5 }).map((parts) => `/${parts.join("/")}`);
  test("a resolved directory always lies within the mount point", () => {
    fc.assert(
      fc.property(path, path, (root, cgroupPath) => {
        const mount = {
          mountId: 1,
          parentId: 0,
          root,
          mountPoint: "/sys/fs/cgroup/memory",
          mountOptions: "rw",
          fsType: "cgroup",
          source: "cgroup",
          superOptions: "rw,memory",
        };
        const dir = resolveInMount(mount, cgroupPath);
        if (dir !== null) expect(isWithin("/sys/fs/cgroup/memory", dir)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
