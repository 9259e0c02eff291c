import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  commonDefaultArgs,
  customConfig,
  estimateBytes,
  expandMatrix,
  gridConfigs,
  parseConfigs,
  parseIntList,
  parseScenarios,
  parseTiers,
  tierLabel,
} from "../../../../src/core/lab/matrix.js";
import type { AppSizes } from "../../../../src/core/lab/types.js";
import type { Plan } from "../../../../src/core/plan/types.js";

const MiB = 1024 * 1024;
const sizes: AppSizes = {
  importSeconds: 1.3,
  masterBytes: 29 * MiB,
  workerPrivateBytes: 110 * MiB,
  preloadMasterBytes: 130 * MiB,
  preloadWorkerPrivateBytes: 17 * MiB,
};
const plan = (workers: number, threads = 1, preload = false) =>
  ({ workers, threads, preload }) as unknown as Plan;

describe("lab matrix", () => {
  it("parses tiers into sorted unique bytes", () => {
    expect(parseTiers("512M, 256M,1G,256M")).toEqual([256 * MiB, 512 * MiB, 1024 * MiB]);
    expect(() => parseTiers("")).toThrow(/at least one tier/);
    expect(() => parseTiers("256Q")).toThrow(/Expected a tier/);
  });

  it("parses configs and scenarios in their canonical order, refusing unknown words", () => {
    expect(parseConfigs("planned,default")).toEqual(["default", "planned"]);
    expect(parseScenarios("heavy,startup")).toEqual(["startup", "heavy"]);
    expect(() => parseScenarios("startup,soak")).toThrow(/--scenarios/);
    expect(parseIntList("4,1,2,1", "--grid-workers")).toEqual([1, 2, 4]);
    expect(() => parseIntList("0,1", "--grid-workers")).toThrow(/positive integers/);
  });

  it("sizes gunicorn's common default as 2 × CPU + 1 sync workers, timeout 30", () => {
    expect(commonDefaultArgs(1)).toEqual({ workers: 3, args: ["-w", "3", "--timeout", "30"] });
    expect(commonDefaultArgs(2).workers).toBe(5);
  });

  it("reads the user's own flags the way gunicorn does", () => {
    expect(customConfig("-w 2 --timeout 15")).toMatchObject({
      name: "custom",
      workers: 2,
      threads: 1,
      preload: false,
      flags: ["-w", "2", "--timeout", "15"],
      label: "2×1 sync",
    });
    expect(customConfig("--workers=3 --threads 4 --preload")).toMatchObject({
      workers: 3,
      threads: 4,
      preload: true,
      label: "3×4 gthread preload",
    });
    expect(() => customConfig("-w 2 app:app")).toThrow(/flags only/);
  });

  it("leaves grid layouts well over the tier out, and tries preload only when asked", () => {
    const grid = gridConfigs({ workers: [1, 2, 3], threads: [1, 4], preload: false }, 256 * MiB, sizes);
    expect(grid.map((c) => c.name)).toEqual(["grid-w1-t1", "grid-w1-t4", "grid-w2-t1", "grid-w2-t4"]);
    const withPreload = gridConfigs({ workers: [3], threads: [1], preload: true }, 256 * MiB, sizes);
    expect(withPreload.map((c) => c.name)).toEqual(["grid-w3-t1-preload"]);
    expect(withPreload[0]!.flags).toContain("--preload");
    expect(estimateBytes(sizes, 3, false)).toBe((29 + 330) * MiB);
    expect(estimateBytes(null, 3, false)).toBeNull();
  });

  it("expands tiers × configs × scenarios; grid cells run startup, lifecycle and heavy only", () => {
    const specs = expandMatrix({
      tiers: [256 * MiB, 512 * MiB],
      cpus: 1,
      configs: ["default", "planned", "custom", "grid"],
      scenarios: ["startup", "health", "lifecycle", "heavy", "oom"],
      custom: "-w 2 --timeout 15",
      grid: { workers: [1], threads: [1], preload: false },
      planFor: (tier) => plan(tier === 256 * MiB ? 2 : 3),
      sizes,
    });
    expect(specs.map((s) => `${tierLabel(s.tierBytes)} ${s.config.name} ${s.scenarios.join("+")}`)).toEqual([
      "256M default startup+health+lifecycle+heavy+oom",
      "256M planned startup+health+lifecycle+heavy+oom",
      "256M custom startup+health+lifecycle+heavy+oom",
      "256M grid-w1-t1 startup+lifecycle+heavy",
      "512M default startup+health+lifecycle+heavy+oom",
      "512M planned startup+health+lifecycle+heavy+oom",
      "512M custom startup+health+lifecycle+heavy+oom",
      "512M grid-w1-t1 startup+lifecycle+heavy",
    ]);
    expect(specs[1]!.config).toMatchObject({ workers: 2, flags: [] });
  });

  it("gives every config of a tier the same heavy load, and --repeat alternates extra heavy passes per tier", () => {
    const specs = expandMatrix({
      tiers: [256 * MiB, 512 * MiB],
      cpus: 1,
      configs: ["default", "planned", "grid"],
      scenarios: ["startup", "heavy"],
      custom: null,
      grid: { workers: [1], threads: [4], preload: false },
      planFor: () => plan(2),
      sizes,
      repeat: 3,
    });
    expect(
      specs.map((s) => `${tierLabel(s.tierBytes)} ${s.config.name} ${s.round} ${s.scenarios.join("+")}`),
    ).toEqual([
      "256M default 1 startup+heavy",
      "256M planned 1 startup+heavy",
      "256M grid-w1-t4 1 startup+heavy",
      "256M default 2 heavy",
      "256M planned 2 heavy",
      "256M grid-w1-t4 2 heavy",
      "256M default 3 heavy",
      "256M planned 3 heavy",
      "256M grid-w1-t4 3 heavy",
      "512M default 1 startup+heavy",
      "512M planned 1 startup+heavy",
      "512M grid-w1-t4 1 startup+heavy",
      "512M default 2 heavy",
      "512M planned 2 heavy",
      "512M grid-w1-t4 2 heavy",
      "512M default 3 heavy",
      "512M planned 3 heavy",
      "512M grid-w1-t4 3 heavy",
    ]);
    // 3 sync workers want 12 connections, 1 × 4 threads 16: all get 16.
    expect(new Set(specs.map((s) => s.connections))).toEqual(new Set([16]));
  });

  it("every expansion has unique (tier, config) pairs and only requested scenarios", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 64, max: 8192 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 4 }),
        (tiersMiB, cpus) => {
          const specs = expandMatrix({
            tiers: tiersMiB.map((t) => t * MiB),
            cpus,
            configs: ["default", "planned", "grid"],
            scenarios: ["startup", "light"],
            custom: null,
            grid: { workers: [1, 2], threads: [1, 2], preload: true },
            planFor: () => plan(1),
            sizes,
          });
          const keys = specs.map((s) => `${s.tierBytes}/${s.config.name}`);
          expect(new Set(keys).size).toBe(keys.length);
          for (const s of specs)
            expect(s.scenarios.every((x) => x === "startup" || x === "light")).toBe(true);
        },
      ),
    );
  });

  it("labels tiers the way people write them", () => {
    expect(tierLabel(256 * MiB)).toBe("256M");
    expect(tierLabel(2048 * MiB)).toBe("2G");
    expect(tierLabel(768 * MiB)).toBe("768M");
  });
});
