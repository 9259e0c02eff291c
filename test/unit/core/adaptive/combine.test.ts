import { describe, expect, it } from "vitest";
import { kinds, MiB, newWorld, step, steps, testConfig } from "./world.js";

describe("decide: memory pressure", () => {
  it("a spike: holds scale-ups when elevated, sheds one worker at a time when critical, never below the minimum", () => {
    const world = newWorld(testConfig({ workers: 3, minWorkers: 2 }));
    steps(world, 3); // calm: 400 MiB of 1024
    // A hog: 600 MiB more than the workers → 1000 MiB (98 %).
    const shed = step(world, { baseBytes: 700 * MiB });
    expect(shed.actions).toEqual([{ kind: "ttou" }]);
    expect(shed.events[0]).toMatchObject({ kind: "scale_down", from: 3, to: 2 });
    expect(shed.events[0]).toMatchObject({
      reason: "shed a worker: memory critical: working set 1000 MiB of 1024 MiB (97.7 %)",
    });
    expect(shed.notes.join("\n")).toContain("memory pressure normal → critical");
    // Still critical: at the minimum of 2 nothing more is shed.
    const after = steps(world, 10, { baseBytes: 900 * MiB });
    expect(kinds(after).filter((k) => k === "ttou")).toEqual([]);
    expect(world.state.target).toBe(2);
    expect(world.count).toBe(2);
  });

  it("waits for the shed worker to be gone and for the step cooldown before the next step", () => {
    const world = newWorld(testConfig({ workers: 4, minWorkers: 1 }));
    const seq = steps(world, 8, { workingSetBytes: 1000 * MiB });
    // t=0 shed (4→3); t=1 settled, cooldown from t=1; t=3 shed (3→2); t=4 settled; t=6 shed (2→1).
    expect(seq.map((d) => d.actions.map((a) => a.kind).join(""))).toEqual([
      "ttou",
      "",
      "",
      "ttou",
      "",
      "",
      "ttou",
      "",
    ]);
    expect(world.state.target).toBe(1);
  });

  it("high pressure recycles the most bloated worker gracefully, and only a bloated one", () => {
    const world = newWorld(testConfig({ workers: 3, recycleBytes: 400 * MiB }));
    steps(world, 2); // fresh workers measured at 100 MiB → bloated above 132 MiB
    const calm = step(world, { baseBytes: 560 * MiB }); // 860 MiB = 84 %: elevated only
    expect(calm.actions).toEqual([]);
    const high = step(world, { baseBytes: 400 * MiB, uss: (i) => (i === 1 ? 280 * MiB : 100 * MiB) }); // 880/1024 = 86 %… below 88
    expect(high.actions).toEqual([]);
    const d = step(world, { baseBytes: 450 * MiB, uss: (i) => (i === 1 ? 280 * MiB : 100 * MiB) }); // 930 = 90.8 %
    expect(d.actions).toEqual([{ kind: "recycle", pid: 101, reason: "pressure" }]);
    expect(d.events[0]).toMatchObject({ kind: "recycle", pid: 101, bytes: 280 * MiB });
    expect(world.state.recycles).toEqual({ memory: 0, pressure: 1 });
  });

  it("the ladder at critical: recycle the bloated worker first, shed one if still critical soon after", () => {
    const world = newWorld(testConfig({ workers: 3, minWorkers: 1, recycleBytes: 900 * MiB }));
    steps(world, 2); // fresh workers: 100 MiB
    const first = step(world, { workingSetBytes: 1000 * MiB, uss: (i) => (i === 2 ? 400 * MiB : 100 * MiB) });
    expect(first.actions).toEqual([{ kind: "recycle", pid: 102, reason: "pressure" }]);
    expect(first.events[0]).toMatchObject({
      kind: "recycle",
      reason: expect.stringMatching(
        /^pressure: memory critical: working set 1000 MiB of 1024 MiB \(97\.7 %\); largest worker 400 MiB private/,
      ),
    });
    const next = steps(world, 4, { workingSetBytes: 1000 * MiB });
    expect(kinds(next)).toEqual(["ttou"]);
    expect(next.flatMap((d) => d.events)[0]).toMatchObject({ kind: "scale_down", from: 3, to: 2 });
  });

  it("restores shed workers one at a time after 20 s of normal pressure, when one more fits", () => {
    const world = newWorld(testConfig({ workers: 3, minWorkers: 1 }));
    step(world, { workingSetBytes: 1000 * MiB }); // shed 3→2
    steps(world, 6, { baseBytes: 100 * MiB }); // calm again: the level drops after 5 s
    expect(world.state.level).toBe("normal");
    const waiting = steps(world, 18);
    expect(kinds(waiting)).toEqual([]);
    const restored = steps(world, 3);
    expect(kinds(restored)).toEqual(["ttin"]);
    expect(restored.find((d) => d.actions.length > 0)!.events[0]).toMatchObject({
      kind: "scale_up",
      from: 2,
      to: 3,
    });
    expect(kinds(steps(world, 60))).toEqual([]); // back at the plan's count: nothing more
    expect(world.count).toBe(3);
  });
});

describe("decide: recycling by memory", () => {
  it("recycles the largest worker over the budget, one at a time, and counts it", () => {
    const world = newWorld(testConfig({ workers: 3, recycleBytes: 200 * MiB }));
    steps(world, 2);
    const uss = (i: number): number => [250, 100, 300][i]! * MiB;
    const first = step(world, { uss, baseBytes: 50 * MiB });
    expect(first.actions).toEqual([{ kind: "recycle", pid: 102, reason: "memory" }]);
    expect(first.events[0]).toMatchObject({
      kind: "recycle",
      reason: "memory: private memory 300 MiB > budget 200 MiB",
    });
    // The recycled worker lingers (finishing its request): nothing else is signalled meanwhile.
    world.pids.push(102);
    world.count = 4;
    const lingering = step(world, { uss: (i) => [250, 100, 100, 300][i]! * MiB, baseBytes: 50 * MiB });
    expect(lingering.actions).toEqual([]);
    world.pids = world.pids.filter((p) => p !== 102);
    world.count = 3;
    const second = step(world, { uss: (i) => [250, 100, 100][i]! * MiB, baseBytes: 50 * MiB });
    expect(second.actions).toEqual([{ kind: "recycle", pid: 100, reason: "memory" }]);
    expect(world.state.recycles.memory).toBe(2);
  });

  it("never sets the budget below a fresh worker plus max(32 MiB, 25 %) unless it was given explicitly", () => {
    const implicit = newWorld(testConfig({ recycleBytes: 37 * MiB }));
    expect(kinds(steps(implicit, 5, { uss: 110 * MiB }))).toEqual([]);
    expect(kinds(steps(implicit, 1, { uss: (i) => (i === 0 ? 150 * MiB : 110 * MiB) }))).toEqual(["recycle"]);
    const explicit = newWorld(testConfig({}, 37 * MiB));
    expect(kinds(steps(explicit, 1, { uss: 110 * MiB }))).toEqual(["recycle"]);
  });
});

describe("decide: load", () => {
  it("a burst: TTIN after 2 s of backlog when a worker fits; back down to the plan's count after 10 s idle", () => {
    const world = newWorld(testConfig({ workers: 2 }));
    const burst = steps(world, 12, { backlog: 20, busy: "all" });
    expect(kinds(burst).filter((k) => k === "ttin").length).toBeGreaterThanOrEqual(3);
    expect(burst[2]!.events[0]).toMatchObject({ kind: "scale_up", from: 2, to: 3 });
    expect(world.count).toBeLessThanOrEqual(6);
    const peak = world.count;
    const after = steps(world, 120, { backlog: 0, busy: 0 });
    expect(kinds(after).filter((k) => k === "ttou").length).toBe(peak - 2);
    expect(world.count).toBe(2);
  });

  it("does not scale up while gunicorn already uses the CPUs: the requests wait for a CPU, not a worker", () => {
    const world = newWorld(testConfig({ workers: 2 }));
    const cpus = world.config.cpus;
    expect(kinds(steps(world, 12, { backlog: 20, busy: "all", cpuUsed: 0.95 * cpus }))).toEqual([]);
    expect(world.count).toBe(2);
    // Waiting on I/O (the CPU not full): the same backlog adds a worker.
    const io = steps(world, 4, { backlog: 20, busy: "all", cpuUsed: 0.6 * cpus });
    expect(kinds(io)).toContain("ttin");
  });

  it("does not scale up when one more worker would not fit under 80 % of the limit", () => {
    const world = newWorld(testConfig({ workers: 2 }));
    // 2 × 100 + 520 = 720 MiB (70 %): normal pressure, but 720 + 100 = 820 > 819.
    const held = steps(world, 10, { backlog: 20, busy: "all", baseBytes: 520 * MiB });
    expect(kinds(held)).toEqual([]);
    expect(held.flatMap((d) => d.notes).filter((n) => n.includes("scale-up is held"))).toHaveLength(1);
    expect(held.flatMap((d) => d.notes).join("")).toContain(
      "working set 720 MiB + one worker 100 MiB = 820 MiB > 80 % of 1024 MiB",
    );
  });

  it("holds scale-ups while pressure is elevated", () => {
    const world = newWorld(testConfig({ workers: 2 }));
    const held = steps(world, 6, { backlog: 20, busy: "all", baseBytes: 650 * MiB });
    expect(kinds(held)).toEqual([]);
    expect(world.state.held).toBe("pressure");
  });

  it("threaded workers: all threads busy is overload even with an empty kernel queue", () => {
    const world = newWorld(testConfig({ workers: 2, workerClass: "gthread", threads: 4 }));
    expect(kinds(steps(world, 3, { backlog: 0, busy: 3 }))).toEqual([]);
    expect(kinds(steps(world, 3, { backlog: 0, busy: 4 }))).toEqual(["ttin"]);
  });

  it("a steady load settles with one spare worker and stays there", () => {
    const world = newWorld(testConfig({ workers: 2, maxWorkers: 8 }));
    const concurrency = 4;
    const load = () => ({
      backlog: Math.max(0, concurrency - world.count),
      busy: (i: number) => (i < concurrency ? 1 : 0),
    });
    steps(world, 60, load);
    const settled = world.count;
    expect(settled).toBeGreaterThanOrEqual(concurrency);
    expect(kinds(steps(world, 300, load))).toEqual([]);
    expect(world.count).toBe(settled);
  });

  it("anti-flap: a scale-up soon after a scale-down lengthens the next idle delay", () => {
    const world = newWorld(testConfig({ workers: 2 }));
    steps(world, 3, { backlog: 5, busy: "all" }); // 2→3
    steps(world, 11, { backlog: 0, busy: 0 }); // idle 10 s → 3→2
    expect(world.count).toBe(2);
    steps(world, 3, { backlog: 5, busy: "all" }); // back up within 30 s: a flap
    expect(world.state.idleMultiplier).toBe(2);
    const idle = steps(world, 15, { backlog: 0, busy: 0 });
    expect(kinds(idle)).toEqual([]); // 20 s needed now
    expect(kinds(steps(world, 8, { backlog: 0, busy: 0 }))).toEqual(["ttou"]);
  });
});

describe("decide: reloads", () => {
  it("re-applies the target when a HUP resets gunicorn's count (seen through nworkers_changed)", () => {
    const world = newWorld(testConfig({ workers: 2 }));
    steps(world, 3, { backlog: 5, busy: "all" });
    expect(world.count).toBe(3);
    step(world, { backlog: 0, busy: 0 });
    const d = step(world, { resetTo: 2, reloads: 1, backlog: 0, busy: 0 });
    expect(d.actions).toEqual([{ kind: "ttin" }]);
    expect(d.events[0]).toMatchObject({
      kind: "scale_up",
      from: 2,
      to: 3,
      reason: "re-apply the target of 3: gunicorn runs 2 (a reload resets it to the configured count)",
    });
  });

  it("without the hook's count, a reload is assumed to reset gunicorn to the plan's count", () => {
    const world = newWorld(testConfig({ workers: 3, minWorkers: 1 }));
    step(world, { workingSetBytes: 1000 * MiB, reportCount: false }); // shed to 2
    steps(world, 2, { reportCount: false });
    world.count = 3; // gunicorn reloaded
    const d = step(world, { reportCount: false, reloads: 1 });
    expect(d.actions).toEqual([{ kind: "ttou" }]);
  });
});

describe("decide: gunicorn's own count", () => {
  it("starts from the count gunicorn first reports (a -w kept with --keep-args), without signalling", () => {
    const world = newWorld(testConfig({ workers: 3 }));
    world.count = 1;
    const first = step(world);
    expect(first.actions).toEqual([]);
    expect(first.notes.join("")).toContain("gunicorn runs 1 worker(s) as configured (the plan said 3)");
    expect(kinds(steps(world, 30))).toEqual([]);
    expect(world.state).toMatchObject({ base: 1, target: 1 });
  });

  it("adopts a TTIN/TTOU sent from outside as the configured count instead of undoing it", () => {
    const world = newWorld(testConfig({ workers: 2 }));
    steps(world, 2);
    world.count = 3; // an operator's TTIN, forwarded by gwarden
    expect(step(world).actions).toEqual([]);
    const adopted = step(world);
    expect(adopted.actions).toEqual([]);
    expect(adopted.notes.join("")).toContain("went from 2 to 3 without gwarden");
    expect(kinds(steps(world, 60))).toEqual([]); // idle: not scaled back below the new count
    expect(world.count).toBe(3);
  });

  it("a reload whose on_reload record lands a tick after its count record is still re-applied", () => {
    const world = newWorld(testConfig({ workers: 2 }));
    steps(world, 3, { backlog: 5, busy: "all" });
    step(world, { busy: 0 });
    expect(world.count).toBe(3);
    expect(step(world, { resetTo: 2, busy: 0 }).actions).toEqual([]); // count record first: wait
    const d = step(world, { reloads: 1, busy: 0 }); // then on_reload
    expect(d.actions).toEqual([{ kind: "ttin" }]);
  });
});
