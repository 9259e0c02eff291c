/**
 * `gwarden detect [--root DIR] [--json]`: the resources this process really has (cgroup v1/v2/hybrid
 * limits, usage, swap, PSI, OOM counters, host fallback), each with where it came from.
 */
import { defineCommand } from "citty";
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { GwardenError } from "../core/error.js";
import { renderResources } from "../core/resources/render.js";
import { detectResources } from "../adapters/resources/resources.js";

export default defineCommand({
  meta: {
    name: "detect",
    description:
      "Show the memory and CPU this process really has (cgroup v1/v2 limits, usage, pressure) and where each figure came from",
  },
  args: {
    root: {
      type: "string",
      description: "Read DIR/proc and DIR/sys instead of /proc and /sys (for captured trees)",
    },
    json: { type: "boolean", description: "Print one JSON document of the resources" },
  },
  run({ args }) {
    const root = args.root === undefined || args.root === "" ? "/" : resolve(args.root);
    if (root !== "/" && !(existsSync(root) && statSync(root).isDirectory())) {
      throw new GwardenError("E_USAGE", `Expected \`--root\` to be a directory, got \`${args.root}\``);
    }
    const resources = detectResources({ root });
    process.stdout.write(args.json ? `${JSON.stringify(resources, null, 2)}\n` : renderResources(resources));
  },
});
