import { defineConfig } from "vitest/config";
import { VM_HOST_FILES, VM_TIER_FILES } from "./test/vm/tier.js";

// Unit tests (pure core, fixtures) run in parallel; integration tests start real gunicorn inside real
// cgroups and run one file at a time so two tests never fight over the 2 CPUs or the cgroup tree.
// The host's QEMU tests (the v2 tier, the slow-vCPU WORKER TIMEOUT lab) are a project of their own,
// one guest at a time. scripts/test.sh runs that project in a second vitest beside unit + integration:
// a TCG guest keeps one CPU busy for ~12 min, and its timing is the guest's own (icount pins the vCPU
// where it matters), so it does not need the host to itself. (Inside one vitest, every project with
// file parallelism off shares one queue, so a project alone would not run beside the others.)
// Inside the cgroup v2 guest of CI's VM tier (GWARDEN_IN_VM=1, set by src/adapters/sandbox/vm.ts) only
// the tier's files run, one at a time, with timeouts for a ~20x slower vCPU.
const inVm = process.env.GWARDEN_IN_VM === "1";

export default defineConfig({
  test: {
    setupFiles: ["test/setup.ts"],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    projects: inVm
      ? [
          {
            extends: true,
            test: {
              name: "vm",
              include: [...VM_TIER_FILES],
              fileParallelism: false,
              testTimeout: 600_000,
              hookTimeout: 300_000,
            },
          },
        ]
      : [
          { extends: true, test: { name: "unit", include: ["test/unit/**/*.test.ts"] } },
          {
            extends: true,
            test: {
              name: "integration",
              include: ["test/integration/**/*.test.ts"],
              exclude: [...VM_HOST_FILES],
              fileParallelism: false,
              testTimeout: 240_000,
            },
          },
          {
            extends: true,
            test: {
              name: "vm-host",
              include: [...VM_HOST_FILES],
              fileParallelism: false,
              testTimeout: 1_800_000,
            },
          },
        ],
  },
});
