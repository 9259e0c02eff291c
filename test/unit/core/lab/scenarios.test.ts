import { describe, expect, it } from "vitest";
import {
  heavyConnections,
  hogPath,
  judge,
  readySeconds,
  scenarioLoad,
  skipReason,
  type ScenarioSettings,
} from "../../../../src/core/lab/scenarios.js";
import { defaultConfig } from "../../../../src/core/lab/matrix.js";

const settings: ScenarioSettings = {
  quick: true,
  urls: ["/", "/db"],
  healthUrl: "/health",
  hogUrl: "/hog?mb={limit_mib}",
  leakUrl: null,
};
const clean = {
  workerTimeouts: 0,
  oomKills: 0,
  failedRequests: 0,
  workerDeaths: 0,
  ready: true,
  masterAlive: true,
};

describe("lab scenarios", () => {
  it("loads above the worker count under heavy load, one connection for light load", () => {
    const config = defaultConfig(1);
    expect(heavyConnections(config)).toBeGreaterThan(config.workers * config.threads);
    expect(scenarioLoad("light", config, settings)).toMatchObject({ connections: 1, paths: ["/", "/db"] });
    expect(scenarioLoad("health", config, settings)).toMatchObject({
      connections: 1,
      paths: ["/health"],
      seconds: 3,
    });
    expect(scenarioLoad("startup", config, settings)).toBeNull();
  });

  it("skips OOM and sustained without an endpoint for them, with a clear note", () => {
    expect(skipReason("sustained", settings)).toMatch(/no --leak-url/);
    expect(skipReason("oom", settings)).toBeNull();
    expect(skipReason("oom", { ...settings, hogUrl: null })).toMatch(/no --hog-url/);
    expect(scenarioLoad("sustained", defaultConfig(1), settings)).toBeNull();
  });

  it("puts the tier into the hog URL", () => {
    expect(hogPath("/hog?mb={limit_mib}&x={limit_mib}", 512 * 1024 * 1024)).toBe("/hog?mb=512&x=512");
  });

  it("fails on any timeout, failed request, dead master or missing worker; OOM passes when it recovers", () => {
    expect(judge("heavy", clean)).toBe(true);
    expect(judge("heavy", { ...clean, oomKills: 1 })).toBe(false);
    expect(judge("oom", { ...clean, oomKills: 1 })).toBe(true);
    expect(judge("oom", { ...clean, oomKills: 1, masterAlive: false })).toBe(false);
    expect(judge("light", { ...clean, failedRequests: 1 })).toBe(false);
    expect(judge("lifecycle", { ...clean, ready: false })).toBe(false);
    expect(judge("startup", { ...clean, workerDeaths: 2 })).toBe(false);
    expect(judge("health", { ...clean, workerTimeouts: 1 })).toBe(false);
  });

  it("waits longer for the workers of a slow app", () => {
    expect(readySeconds(settings, 0.8)).toBe(20);
    expect(readySeconds(settings, 4.2)).toBe(42);
    expect(readySeconds({ ...settings, quick: false }, null)).toBe(30);
  });
});
