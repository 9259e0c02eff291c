/**
 * `gwarden detect [--root DIR] [--json]`: the resources this process really has (cgroup v1/v2/hybrid
 * limits, usage, swap, PSI, OOM counters, host fallback), each with where it came from.
 */
import { defineVerb } from "../core/cli/verb.js";
import { GwardenError } from "../core/error.js";
import { resolvePosix } from "../core/posix-path.js";
import { renderResources } from "../core/resources/render.js";
import { isDirectory } from "../adapters/resources/root-fs.js";
import { detectResources } from "../adapters/resources/resources.js";

export default defineVerb({
  name: "detect",
  summary:
    "Show the memory and CPU this process really has (cgroup v1/v2 limits, usage, pressure) and where each figure came from",
  flags: {
    root: {
      type: "string",
      placeholder: "DIR",
      description: "Read DIR/proc and DIR/sys instead of /proc and /sys (for captured trees)",
    },
    json: { type: "boolean", description: "Print one JSON document of the resources" },
  },
  examples: [
    { command: "gwarden detect", comment: "each figure and the file it came from" },
    { command: "gwarden detect --json", comment: "memory.limitBytes, cpu.quota, cgroup.version, sources" },
    {
      command: "gwarden detect --root /mnt/container-rootfs",
      comment: "read proc/ and sys/ under a directory",
    },
  ],
  run({ args }) {
    const root = args.root === undefined || args.root === "" ? "/" : resolvePosix(process.cwd(), args.root);
    if (root !== "/" && !isDirectory(root)) {
      throw new GwardenError("E_USAGE", `Expected \`--root\` to be a directory, got \`${args.root}\``);
    }
    const resources = detectResources({ root });
    process.stdout.write(args.json ? `${JSON.stringify(resources, null, 2)}\n` : renderResources(resources));
  },
});
