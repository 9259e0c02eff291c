/** The text parsers of src/core/cgroup: the rules of research/cgroups.md §1, §2, §4, §5, §6.2. */
import { describe, expect, test } from "vitest";
import { parseProcCgroup, parseCgroupLine } from "../../../../src/core/cgroup/proc-cgroup.js";
import {
  parseMountInfo,
  parseMountLine,
  unescapeOctal,
  v1Controllers,
} from "../../../../src/core/cgroup/mountinfo.js";
import { parseCgroupNumber } from "../../../../src/core/cgroup/cgroup-number.js";
import { parseCpuMax, parseCfsQuota } from "../../../../src/core/cgroup/cpu-max.js";
import { parsePressure } from "../../../../src/core/cgroup/psi.js";
import { parseMemInfo } from "../../../../src/core/cgroup/meminfo.js";
import { countCpuList } from "../../../../src/core/cgroup/cpu-list.js";
import { inactiveFile, hierarchicalLimit } from "../../../../src/core/cgroup/memory-stat.js";
import { chainUpTo, relativeBelow } from "../../../../src/core/cgroup/cgroup-path.js";

describe("/proc/self/cgroup", () => {
  test("splits on the first two colons only", () => {
    expect(parseCgroupLine("0::/system.slice/sshd@1-10.0.0.1:22-10.0.0.2:3367.service")?.path).toBe(
      "/system.slice/sshd@1-10.0.0.1:22-10.0.0.2:3367.service",
    );
  });
  test("rejects lines with fewer than two colons or a path not starting with /", () => {
    expect(parseCgroupLine("garbage")).toBeNull();
    expect(parseCgroupLine("4:memory")).toBeNull();
    expect(parseCgroupLine("5:cpuacct,cpu:cpuset:/daemons:extra")).toBeNull();
    expect(parseCgroupLine("x:memory:/a")).toBeNull();
  });
  test("the v2 entry is ID 0 with an empty list; 1::/ is not; (deleted) is stripped; no final newline", () => {
    expect(parseProcCgroup("1::/").unified).toBeNull();
    expect(parseProcCgroup("0::/").unified?.path).toBe("/");
    expect(parseProcCgroup("1:freezer:/\n0::/a (deleted)\n").unified?.path).toBe("/a");
    const parsed = parseProcCgroup("4:cpu,cpuacct:/docker/x\n\nbad\n");
    expect(parsed.entries[0]?.controllers).toEqual(["cpu", "cpuacct"]);
    expect(parsed.malformed).toEqual(["bad"]);
  });
});

describe("/proc/self/mountinfo", () => {
  test("finds the separator after any number of optional fields", () => {
    for (const optional of ["", " shared:4", " shared:409 master:1", " a:1 b:2 c:3"]) {
      const entry = parseMountLine(`31 25 0:27 / /sys/fs/cgroup rw,nosuid${optional} - cgroup2 cgroup2 rw`);
      expect(entry?.fsType).toBe("cgroup2");
      expect(entry?.mountPoint).toBe("/sys/fs/cgroup");
    }
  });
  test("super options keep their spaces; octal escapes are decoded", () => {
    const entry = parseMountLine(
      "70 25 0:70 /a\\040b /mnt/c\\011d rw - 9p drvfs rw,path=C:\\Program Files\\;uid=0",
    );
    expect(entry?.superOptions).toBe("rw,path=C:\\Program Files\\;uid=0");
    expect(entry?.root).toBe("/a b");
    expect(entry?.mountPoint).toBe("/mnt/c\td");
    expect(unescapeOctal("a\\134b\\012c")).toBe("a\\b\nc");
  });
  test("lines without the separator or with too few fields are malformed, not thrown", () => {
    const parsed = parseMountInfo("30 25 0:30 / /sys/fs/cgroup rw shared:4 cgroup2 cgroup2 rw\n1 2 3\n");
    expect(parsed.mounts).toEqual([]);
    expect(parsed.malformed).toHaveLength(2);
  });
  test("classifies by fstype, controllers from the super options", () => {
    const entry = parseMountLine(
      "36 31 0:32 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct",
    )!;
    expect(v1Controllers(entry)).toEqual(["rw", "cpu", "cpuacct"]);
    expect(parseMountLine("32 31 0:28 / /sys/fs/cgroup/systemd rw - cgroup2 cgroup rw")?.fsType).toBe(
      "cgroup2",
    );
  });
});

describe("paths", () => {
  test("below is component-wise", () => {
    expect(relativeBelow("/foo/bar", "/foo/barbaz")).toBeNull();
    expect(relativeBelow("/foo/bar", "/foo/bar/baz")).toEqual(["baz"]);
    expect(relativeBelow("/", "/a")).toEqual(["a"]);
    expect(chainUpTo("/sys/fs/cgroup", "/sys/fs/cgroup/a/b")).toEqual([
      "/sys/fs/cgroup/a/b",
      "/sys/fs/cgroup/a",
      "/sys/fs/cgroup",
    ]);
  });
});

describe("numbers and unlimited spellings", () => {
  test.each([
    "max",
    "-1",
    "9223372036854771712",
    "9223372036854775807",
    "18446744073709551615",
    "9223372036854710272",
    "9223372036854759424",
    "max\n",
  ])("%s is unlimited", (text) => {
    expect(parseCgroupNumber(text)).toEqual({ kind: "unlimited" });
  });
  test("plain numbers and garbage", () => {
    expect(parseCgroupNumber("268435456\n")).toEqual({ kind: "value", value: 268435456 });
    expect(parseCgroupNumber("12abc").kind).toBe("malformed");
    expect(parseCgroupNumber("").kind).toBe("malformed");
  });
});

describe("cpu quota", () => {
  test.each([
    ["250000 100000", 2.5],
    ["500000", 5],
    ["50000 100000\n", 0.5],
  ])("cpu.max %j = %d CPUs", (text, cpus) => {
    expect(parseCpuMax(text)).toEqual({ kind: "cpus", cpus });
  });
  test("max is none; malformed and zero period are unknown", () => {
    expect(parseCpuMax("max 100000")).toEqual({ kind: "none" });
    for (const text of ["", "\n", "250000 100000 100", "asdf 100000", "500000 njn", "250000 0"])
      expect(parseCpuMax(text).kind).toBe("unknown");
  });
  test("v1 cfs", () => {
    expect(parseCfsQuota("-1\n", "100000\n")).toEqual({ kind: "none" });
    expect(parseCfsQuota("150000", "100000")).toEqual({ kind: "cpus", cpus: 1.5 });
    expect(parseCfsQuota("150000", "0").kind).toBe("unknown");
    expect(parseCfsQuota("150000", null).kind).toBe("unknown");
  });
});

describe("PSI, meminfo, memory.stat, cpu lists", () => {
  test("PSI some/full, extra keys ignored, no full line on old cpu files", () => {
    const psi = parsePressure(
      "some avg10=1.71 avg60=2.36 avg300=2.57 total=230548833 new=1\nfull avg10=1.00 avg60=1.01 avg300=1.00 total=157622356\n",
    );
    expect(psi?.some).toEqual({ avg10: 1.71, avg60: 2.36, avg300: 2.57, total: 230548833 });
    expect(psi?.full?.total).toBe(157622356);
    expect(parsePressure("some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n")?.full).toBeNull();
    expect(parsePressure("garbage")).toBeNull();
  });
  test("meminfo in bytes", () => {
    expect(parseMemInfo("MemTotal: 1024 kB\nMemAvailable: 512 kB\nSwapTotal: 0 kB\n")).toMatchObject({
      totalBytes: 1048576,
      availableBytes: 524288,
      swapTotalBytes: 0,
      swapFreeBytes: null,
    });
  });
  test("inactive_file by whole key; v1 prefers total_inactive_file", () => {
    expect(inactiveFile("active_file 5\ninactive_file 7\n", "v2")).toBe(7);
    expect(inactiveFile("inactive_file 7\ntotal_inactive_file 9\n", "v1")).toBe(9);
    expect(inactiveFile("inactive_file 7\n", "v1")).toBe(7);
    expect(
      hierarchicalLimit("hierarchical_memory_limit 9223372036854771712\n", "hierarchical_memory_limit"),
    ).toEqual({ kind: "unlimited" });
  });
  test("cpu lists", () => {
    expect(countCpuList("0-3,6,8-9\n")).toBe(7);
    expect(countCpuList("3-1")).toBeNull();
    expect(countCpuList("")).toBeNull();
  });
});

describe("mountinfo lines that are not cgroups", () => {
  test("an nsfs mount whose root is cgroup:[...] parses and is not a cgroup", () => {
    const entry = parseMountLine("600 25 0:4 cgroup:[4026531835] /run/ns/cg rw - nsfs nsfs rw");
    expect(entry?.fsType).toBe("nsfs");
    expect(entry?.root).toBe("cgroup:[4026531835]");
  });
});
