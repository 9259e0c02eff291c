import { defineConfig } from "vitest/config";

// Unit tests (pure core, fixtures) run in parallel; integration tests start real gunicorn inside real
// cgroups and run one file at a time so two tests never fight over the 2 CPUs or the cgroup tree.
export default defineConfig({
  test: {
    setupFiles: ["test/setup.ts"],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: "unit", include: ["test/unit/**/*.test.ts"] } },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          fileParallelism: false,
          testTimeout: 240_000,
        },
      },
    ],
  },
});
