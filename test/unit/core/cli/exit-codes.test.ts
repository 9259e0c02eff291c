import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXIT, EXIT_CODE_LINES } from "../../../../src/core/cli/exit-codes.js";

const root = join(import.meta.dirname, "../../../..");
const readme = readFileSync(join(root, "README.md"), "utf8");
const troubleshooting = readFileSync(join(root, "docs/troubleshooting.md"), "utf8");

describe("exit statuses", () => {
  it.each(Object.entries(EXIT))(
    "%s (%i) is in --help, README.md and docs/troubleshooting.md",
    (_name, code) => {
      expect(EXIT_CODE_LINES.map(([c]) => c)).toContain(code);
      expect(readme).toContain(`**${code}**`);
      expect(troubleshooting).toMatch(new RegExp(`^\\| ${code} +\\|`, "m"));
    },
  );
});
