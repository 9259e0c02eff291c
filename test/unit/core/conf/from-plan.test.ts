import { describe, expect, it } from "vitest";
import { settingsFromPlan } from "../../../../src/core/conf/from-plan.js";
import type { Plan } from "../../../../src/core/plan/types.js";

const plan = {
  schema: 1,
  workers: 3,
  minWorkers: 1,
  maxWorkers: 4,
  threads: 4,
  workerClass: "gthread",
  timeout: 45,
  gracefulTimeout: 8,
  bootDeadline: 60,
  maxRequests: 1000,
  maxRequestsJitter: 100,
  preload: true,
  gcFreeze: true,
  workerTmpDir: "/dev/shm",
  backlog: 64,
  keepalive: 5,
} as Plan;

describe("settingsFromPlan", () => {
  it("maps the plan's gunicorn numbers to gunicorn's setting names", () => {
    expect(settingsFromPlan(plan)).toEqual({
      workers: 3,
      threads: 4,
      worker_class: "gthread",
      timeout: 45,
      graceful_timeout: 8,
      max_requests: 1000,
      max_requests_jitter: 100,
      preload_app: true,
      worker_tmp_dir: "/dev/shm",
      backlog: 64,
      keepalive: 5,
    });
  });
});
