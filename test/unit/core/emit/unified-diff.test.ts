import { describe, expect, it } from "vitest";
import { unifiedDiff } from "../../../../src/core/emit/unified-diff.js";

const names = { old: "a/gunicorn.conf.py", new: "b/gunicorn.conf.py" };

describe("unifiedDiff", () => {
  it("is empty for equal texts", () => {
    expect(unifiedDiff("x\ny\n", "x\ny\n", names)).toBe("");
  });

  it("prints what diff -u prints for a change in the middle", () => {
    const a = ["1", "2", "3", "4", "5", "6", "7", "8", "9"].join("\n") + "\n";
    const b = a.replace("5\n", "five\n");
    expect(unifiedDiff(a, b, names)).toBe(
      [
        "--- a/gunicorn.conf.py",
        "+++ b/gunicorn.conf.py",
        "@@ -2,7 +2,7 @@",
        " 2",
        " 3",
        " 4",
        "-5",
        "+five",
        " 6",
        " 7",
        " 8",
        "",
      ].join("\n"),
    );
  });

  it("splits changes far apart into hunks, and joins near ones", () => {
    const a = Array.from({ length: 20 }, (_, i) => `l${i}`).join("\n") + "\n";
    const far = unifiedDiff(a, a.replace("l1\n", "L1\n").replace("l18\n", "L18\n"), names);
    expect(far.match(/^@@/gm)).toHaveLength(2);
    expect(far).toContain("@@ -1,5 +1,5 @@");
    expect(far).toContain("@@ -16,5 +16,5 @@");
    const near = unifiedDiff(a, a.replace("l5\n", "L5\n").replace("l10\n", "L10\n"), names);
    expect(near.match(/^@@/gm)).toHaveLength(1);
  });

  it("diffs from and to nothing", () => {
    expect(unifiedDiff("", "a\nb\n", { old: "/dev/null", new: "x" })).toBe(
      "--- /dev/null\n+++ x\n@@ -0,0 +1,2 @@\n+a\n+b\n",
    );
    expect(unifiedDiff("a\n", "", { old: "x", new: "/dev/null" })).toBe(
      "--- x\n+++ /dev/null\n@@ -1,1 +0,0 @@\n-a\n",
    );
  });
});
