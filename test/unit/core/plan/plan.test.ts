import { describe, expect, it } from "vitest";
import { planGunicorn } from "../../../../src/core/plan/plan.js";
import { planArgs } from "../../../../src/core/emit/emit-args.js";
import type { Plan } from "../../../../src/core/plan/types.js";
import { box, input, MiB, slProfile, TIERS_MIB } from "./fixtures.js";

const REQUIRED_REASONS = [
  "workers",
  "threads",
  "workerClass",
  "timeout",
  "gracefulTimeout",
  "bootDeadline",
  "maxRequests",
  "maxRequestsJitter",
  "preload",
  "gcFreeze",
  "workerTmpDir",
  "backlog",
  "keepalive",
  "recycleBytes",
  "minWorkers",
  "maxWorkers",
  "memory.plannedBytes",
  "memory.marginBytes",
  "memory.perWorkerBytes",
  "database.poolSize",
  "database.totalConnections",
];

function fits(plan: Plan): boolean {
  return plan.memory.plannedBytes <= plan.memory.limitBytes;
}

describe("planGunicorn on the tiers", () => {
  for (const cpus of [1, 2]) {
    for (const mem of TIERS_MIB) {
      for (const profile of [null, slProfile(false), slProfile(true)]) {
        const label =
          profile === null ? "no profile" : profile.preload.safe ? "preload safe" : "preload unsafe";
        it(`${mem} MiB, ${cpus} CPU, ${label}: fits, ≥ 1 worker, every value explained`, () => {
          const plan = planGunicorn(input(box(mem, cpus), profile));
          expect(plan.workers).toBeGreaterThanOrEqual(1);
          expect(plan.workers).toBeLessThanOrEqual(cpus + 1);
          expect(fits(plan)).toBe(true);
          expect(plan.memory.overLimit).toBe(false);
          for (const key of REQUIRED_REASONS) expect(plan.reasons[key]?.reason, key).toBeTruthy();
          expect(plan.minWorkers).toBe(1);
          expect(plan.maxWorkers).toBeGreaterThanOrEqual(plan.workers);
          expect(plan.workerTmpDir).toBe("/dev/shm");
          expect(plan.gcFreeze).toBe(plan.preload);
          if (!profile?.preload.safe) expect(plan.preload).toBe(false);
        });
      }
    }
  }
});

describe("the 256 MiB rule (baseline-lessons 2)", () => {
  it("never plans two non-preloaded ~110 MiB workers at 256 MiB, with gwarden in or out of the group", () => {
    for (const supervisorInGroup of [true, false]) {
      for (const profile of [null, slProfile(false)]) {
        const plan = planGunicorn(input(box(256, 1), profile, { supervisorInGroup }));
        expect(plan.workers).toBe(1);
        expect(fits(plan)).toBe(true);
      }
    }
  });

  it("adds threads to the single worker when the app may be thread-safe", () => {
    const plan = planGunicorn(input(box(256, 1)));
    expect(plan).toMatchObject({ workers: 1, threads: 4, workerClass: "gthread" });
    expect(plan.warnings.join("\n")).toMatch(/assumes the app is thread-safe/);
  });

  it("closes gthread connections after each response (a retiring worker drops its idle keep-alive ones); sync keeps the default", () => {
    const threaded = planGunicorn(input(box(256, 1)));
    expect(threaded.keepalive).toBe(0);
    expect(threaded.reasons.keepalive?.reason).toMatch(
      /drops requests already sent on its idle keep-alive connections/,
    );
    const sync = planGunicorn(input(box(256, 1), slProfile(false)));
    expect(sync.keepalive).toBe(2);
  });

  it("stays sync when the profile found preload unsafe (state shared from import breaks threads too)", () => {
    const plan = planGunicorn(input(box(256, 1), slProfile(false)));
    expect(plan).toMatchObject({ workers: 1, threads: 1, workerClass: "sync" });
    expect(plan.reasons.threads?.reason).toMatch(/profile found preload unsafe/);
  });

  it("counts the supervisor only when it shares the cgroup", () => {
    const inside = planGunicorn(input(box(256, 1), null, { supervisorInGroup: true }));
    const outside = planGunicorn(input(box(256, 1), null, { supervisorInGroup: false }));
    expect(inside.memory.supervisorBytes).toBe(17 * MiB);
    expect(inside.reasons["memory.supervisorBytes"]?.reason).toMatch(/run-cost\.mjs .*reclaimable/);
    expect(outside.memory.supervisorBytes).toBe(0);
  });

  it("without threads allowed, plans 1 sync worker", () => {
    const plan = planGunicorn(input(box(256, 1), null, { allowThreads: false }));
    expect(plan).toMatchObject({ workers: 1, threads: 1, workerClass: "sync" });
  });
});

describe("mode choice", () => {
  it("uses preload when the profile proves it safe and it fits more workers", () => {
    const plan = planGunicorn(input(box(512, 2), slProfile(true)));
    expect(plan.preload).toBe(true);
    expect(plan.gcFreeze).toBe(true);
    expect(plan.memory.transientBytes).toBe(70 * MiB);
    expect(plan.warnings.join("\n")).toMatch(/oom_score_adj/);
    expect(plan.reasons.preload?.reason).toMatch(/without preload/);
  });

  it("never uses preload when the profile found it unsafe", () => {
    const plan = planGunicorn(input(box(4096, 2), slProfile(false)));
    expect(plan.preload).toBe(false);
    expect(plan.reasons.preload?.reason).toMatch(/unsafe/);
  });

  it("prefers plain workers when preload buys nothing (1 worker)", () => {
    const plan = planGunicorn(input(box(256, 1), slProfile(true)));
    expect(plan.preload).toBe(false);
  });
});

describe("CPU is the optimum, memory the ceiling", () => {
  it("does not add processes past ⌈cpus⌉ + 1 however much memory there is", () => {
    expect(planGunicorn(input(box(8192, 1))).workers).toBe(2);
    expect(planGunicorn(input(box(8192, 2))).workers).toBe(3);
    expect(planGunicorn(input(box(8192, 4))).workers).toBe(5);
  });

  it("lets adaptive control grow to the memory ceiling, bounded by the CPUs", () => {
    const plan = planGunicorn(input(box(4096, 2)));
    expect(plan.maxWorkers).toBe(5);
  });
});

describe("timeouts", () => {
  it("keeps timeout above the boot time on gunicorn ≤ 21 and leaves 30 s on ≥ 22", () => {
    const slow = slProfile(false, { importSeconds: 20 });
    const old = planGunicorn(input(box(1024, 1), slow, { gunicornVersion: "20.1.0" }));
    expect(old.timeout).toBeGreaterThanOrEqual(old.bootDeadline);
    expect(old.timeout).toBeGreaterThanOrEqual(40);
    const recent = planGunicorn(input(box(1024, 1), slow, { gunicornVersion: "23.0.0" }));
    expect(recent.timeout).toBe(30);
    expect(recent.bootDeadline).toBe(120);
    expect(recent.reasons.timeout?.reason).toMatch(/never times out a booting worker/);
  });

  it("treats an unknown gunicorn version as ≤ 21", () => {
    const plan = planGunicorn(input(box(1024, 1), slProfile(false, { importSeconds: 20 })));
    expect(plan.timeout).toBeGreaterThanOrEqual(60);
  });

  it("bootDeadline is at least 10 s and 3 × import × starvation", () => {
    const plan = planGunicorn(input(box(1024, 1), slProfile(false)));
    expect(plan.bootDeadline).toBe(10);
    expect(plan.reasons.bootDeadline?.arithmetic).toMatch(/max\(10, ⌈3 × 1.6 s import × 2 CPU starvation/);
    expect(plan.gracefulTimeout).toBeLessThan(30);
  });
});

describe("recycling", () => {
  it("scales max_requests with the import cost instead of a constant 1000", () => {
    const plan = planGunicorn(input(box(1024, 1), slProfile(false)));
    expect(plan.maxRequests).toBe(96_000);
    expect(plan.maxRequestsJitter).toBe(19_200);
    expect(plan.recycleBytes).toBeGreaterThan(plan.memory.perWorkerBytes);
  });

  it("recycles sooner in low-memory mode", () => {
    const normal = planGunicorn(input(box(1024, 1), slProfile(false)));
    const low = planGunicorn(input(box(1024, 1), slProfile(false), { lowMemory: true }));
    expect(low.maxRequests).toBeLessThan(normal.maxRequests);
    expect(low.recycleBytes - low.memory.perWorkerBytes).toBeLessThan(
      normal.recycleBytes - normal.memory.perWorkerBytes,
    );
  });
});

describe("low-memory mode", () => {
  it("favours survival: bigger margin, fewer processes, threads", () => {
    const normal = planGunicorn(input(box(1024, 2)));
    const low = planGunicorn(input(box(1024, 2), null, { lowMemory: true }));
    expect(low.memory.marginBytes).toBeGreaterThan(normal.memory.marginBytes);
    expect(low.workers).toBeLessThan(normal.workers);
    expect(low.threads).toBeGreaterThan(1);
    expect(low.warnings.join("\n")).toMatch(/Low-memory mode/);
  });
});

describe("database", () => {
  it("exports a pool that keeps every worker under max_connections − reserve", () => {
    const plan = planGunicorn(input(box(1024, 2), null, { postgresMaxConnections: 14 }));
    expect(plan.database.totalConnections).toBeLessThanOrEqual(14 - 10);
    expect(plan.database.poolSize).toBeGreaterThanOrEqual(1);
  });

  it("with --db-on-box plans PostgreSQL's memory and counts it", () => {
    const off = planGunicorn(input(box(1024, 1)));
    const on = planGunicorn(input(box(1024, 1), null, { dbOnBox: true }));
    const pg = on.database.postgres!;
    expect(pg.sharedBuffersBytes).toBe(64 * MiB);
    expect(pg.effectiveCacheSizeBytes).toBe(512 * MiB);
    expect(pg.workMemBytes).toBe(4 * MiB);
    expect(pg.maxConnections).toBe(20);
    expect(on.memory.databaseBytes).toBe(pg.estimatedBytes);
    expect(on.memory.plannedBytes - off.memory.plannedBytes).toBeGreaterThanOrEqual(pg.estimatedBytes - 1);
    expect(on.reasons["postgres.estimatedBytes"]?.arithmetic).toMatch(/MiB$/);
  });
});

describe("when nothing fits", () => {
  it("plans 1 worker with threads and says what to do", () => {
    const plan = planGunicorn(input(box(128, 1), null));
    expect(plan.workers).toBe(1);
    expect(plan.threads).toBeGreaterThan(1);
    expect(plan.memory.overLimit).toBe(true);
    const text = plan.warnings.join("\n");
    expect(text).toMatch(/does not fit: even 1 worker needs/);
    expect(text).toMatch(/raise the memory limit to at least \d+ MiB/);
  });
});

describe("conflicts with the app's own command line", () => {
  it("lists SimpleLogin's -w 2 --timeout 15 when they differ from the plan", () => {
    const plan = planGunicorn(
      input(box(256, 1), null, {
        appArgv: ["gunicorn", "wsgi:app", "-b", "0.0.0.0:7777", "-w", "2", "--timeout", "15"],
      }),
    );
    expect(plan.conflicts.map((c) => c.setting).sort()).toEqual(["timeout", "workers"]);
    expect(plan.conflicts[0]?.message).toMatch(/beats the plan/);
  });

  it("is silent when the flags agree", () => {
    const plan = planGunicorn(input(box(1024, 1), null, { appArgv: ["wsgi:app", "-w2", "--timeout=30"] }));
    expect(plan.conflicts).toEqual([]);
  });
});

describe("warnings", () => {
  it("says when there is no profile, no swap or no usable tmpfs; then gunicorn keeps its default heartbeat dir", () => {
    const plan = planGunicorn(
      input(
        box(512, 1, {
          heartbeatDirs: [
            { dir: "/dev/shm", usable: false, fsType: null },
            { dir: "/tmp", usable: true, fsType: "ext4" },
          ],
        }),
      ),
    );
    const text = plan.warnings.join("\n");
    expect(text).toMatch(/No profile/);
    expect(text).toMatch(/No swap/);
    expect(text).toMatch(/No usable tmpfs for the heartbeat files \(\/dev\/shm: missing, \/tmp: ext4\)/);
    expect(plan.workerTmpDir).toBeNull();
    expect(planArgs(plan)).not.toContain("--worker-tmp-dir");
  });

  it("never names a heartbeat dir the box does not have: a missing /dev/shm falls back to another tmpfs", () => {
    const plan = planGunicorn(
      input(
        box(512, 1, {
          heartbeatDirs: [
            { dir: "/dev/shm", usable: false, fsType: null },
            { dir: "/run/user/1000", usable: true, fsType: "tmpfs" },
            { dir: "/tmp", usable: true, fsType: "ext4" },
          ],
        }),
      ),
    );
    expect(plan.workerTmpDir).toBe("/run/user/1000");
    expect(plan.reasons.workerTmpDir?.reason).toMatch(/\/dev\/shm is missing or not writable/);
    expect(plan.warnings.join("\n")).not.toMatch(/tmpfs for the heartbeat/);
  });

  it("a tmpfs /tmp is used when nothing better exists; a /dev/shm on disk is not", () => {
    expect(
      planGunicorn(
        input(
          box(512, 1, {
            heartbeatDirs: [
              { dir: "/dev/shm", usable: true, fsType: "overlay" },
              { dir: "/tmp", usable: true, fsType: "tmpfs" },
            ],
          }),
        ),
      ).workerTmpDir,
    ).toBe("/tmp");
  });
});

describe("recycling a preloaded worker", () => {
  it("allows at least 32 MiB of growth when there is room, so refcount un-sharing is no restart storm", () => {
    const plan = planGunicorn(input(box(2048, 2), slProfile(true)));
    expect(plan.preload).toBe(true);
    expect(plan.recycleBytes - plan.memory.perWorkerBytes).toBe(32 * MiB);
    expect(plan.maxRequests).toBe(96_000);
  });
});
