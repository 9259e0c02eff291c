/**
 * The flags that feed the planner, declared once for every verb that plans: `plan` and `run` take them
 * all, `doctor` the what-if figures and the profile, `lab` the policy (its memory is its tiers).
 */
import { POSTGRES_DEFAULT_MAX_CONNECTIONS } from "../plan/defaults.js";
import { defineFlags } from "./flags.js";

export const DEFAULT_PROFILE = ".gwarden/profile.json";

const group = "Planning flags";

export const PLANNING_FLAGS = defineFlags({
  profile: {
    group,
    type: "string",
    placeholder: "FILE",
    description: `The app's profile, written by \`gwarden profile\` (default ${DEFAULT_PROFILE} when it exists)`,
  },
  memory: {
    group,
    type: "size",
    description: "What-if: this memory limit instead of the detected one (512M, 1G)",
  },
  cpus: {
    group,
    type: "number",
    above: 0,
    like: "1, 2 or 0.5",
    description: "What-if: this many CPUs instead of the detected ones (fractions allowed)",
  },
  "db-on-box": {
    group,
    type: "boolean",
    description: "PostgreSQL runs on this box: count its memory and plan its settings",
  },
  "max-connections": {
    group,
    type: "number",
    integer: true,
    min: 11,
    default: POSTGRES_DEFAULT_MAX_CONNECTIONS,
    description: "PostgreSQL's max_connections, which every worker's pool shares",
  },
  "low-memory": {
    group,
    type: "boolean",
    description: "Favour survival over throughput (also LOW_MEMORY_MODE=true)",
  },
  "no-threads": {
    group,
    type: "boolean",
    description: "Never plan gthread workers (for apps that are not thread-safe)",
  },
  "supervisor-outside": {
    group,
    type: "boolean",
    description: "gwarden runs outside the app's cgroup: leave its own memory out of the budget",
  },
});
