import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FINDING_CODES } from "../../../../src/core/doctor/types.js";

describe("finding codes", () => {
  const doc = readFileSync(join(import.meta.dirname, "../../../../docs/troubleshooting.md"), "utf8");
  it.each(FINDING_CODES)(
    "%s is kebab-case and has a section with a fix in docs/troubleshooting.md",
    (code) => {
      expect(code).toMatch(/^[a-z]+(-[a-z]+)*$/);
      const section = doc.split(/^## /m).find((s) => s.startsWith(`${code}\n`));
      expect(section).toBeDefined();
      expect(section).toMatch(/\*\*Fix:\*\*/);
    },
  );
});
