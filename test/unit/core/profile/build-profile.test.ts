import { getRequest } from "../../../../src/core/profile/request-spec.js";
import { describe, expect, it } from "vitest";
import { appIdentity } from "../../../../src/core/profile/app-identity.js";
import {
  buildProfile,
  median,
  preloadVerdict,
  type ProfileInputs,
} from "../../../../src/core/profile/build-profile.js";
import { renderProfileSummary } from "../../../../src/core/profile/summary.js";
import type { ProfileRunResult } from "../../../../src/core/profile/types.js";
import type { ProcessMemory } from "../../../../src/core/proc/smaps-rollup.js";

const MiB = 1024 * 1024;
const mem = (rss: number, pss: number, uss: number): ProcessMemory => ({
  rss: rss * MiB,
  pss: pss * MiB,
  uss: uss * MiB,
  swap: 0,
});
const url = (path: string, status: number): ProfileRunResult["urls"][number] => ({
  path,
  status,
  ok: status < 300,
  ms: 4,
});

function run(mode: ProfileRunResult["mode"], over: Partial<ProfileRunResult> = {}): ProfileRunResult {
  const workers = mode === "preload-shared" ? 3 : 1;
  return {
    mode,
    workers,
    ok: true,
    bootSeconds: mode === "single" ? [0.8] : Array.from({ length: workers }, () => 0.01),
    masterImportSeconds: null,
    startSeconds: mode === "single" ? 0.5 : 1.4,
    master: mode === "single" ? mem(29, 16, 13) : mem(130, 45, 18),
    workerMemory: Array.from({ length: workers }, () =>
      mode === "single" ? mem(129, 114, 110) : mem(131, 40, 14 + workers),
    ),
    urls: [url("/health", 200), url("/db", 200)],
    ...(mode === "preload-shared" ? { workersAnswering: 3 } : {}),
    ...over,
  };
}

function inputs(runs: ProfileRunResult[]): ProfileInputs {
  const argv = ["gunicorn", "--chdir", "example", "app:app"];
  return {
    createdAt: "2026-11-27T04:00:00.000Z",
    argv,
    identity: appIdentity(argv, "/work/main"),
    chdir: "example",
    gunicorn: { version: "20.1.0", python: "python3.11", workerClass: "sync" },
    requests: [getRequest("/health"), getRequest("/db")],
    runs,
    host: { cpus: 2, memoryLimitBytes: null },
  };
}

describe("buildProfile", () => {
  it("takes import time and memory from the plain run, the preload figures from the preload runs", () => {
    const profile = buildProfile(inputs([run("single"), run("preload"), run("preload-shared")]));
    expect(profile.importSeconds).toBe(0.8);
    expect(profile.worker.uss).toBe(110 * MiB);
    expect(profile.master.uss).toBe(13 * MiB);
    expect(profile.app.fingerprint).toBe(
      appIdentity(["gunicorn", "app:app"], "/work/main/example").fingerprint,
    );
    expect(profile.preload.safe).toBe(true);
    expect(profile.preload.reason).toMatch(/3 of 3 workers/);
    // The master's import is its start time beyond the plain run's (interpreter + gunicorn alone).
    expect(profile.preload.masterImportSeconds).toBe(0.9);
    expect(profile.preload.workerPrivateBytes).toBe(17 * MiB);
    expect(profile.preload.master?.rss).toBe(130 * MiB);
  });

  it("marks preload unsafe, naming the URL, when a request failed with several workers", () => {
    const shared = run("preload-shared", {
      ok: false,
      urls: [url("/health", 200), url("/db", 500)],
      error: "GET /db answered 500",
    });
    const profile = buildProfile(inputs([run("single"), run("preload"), shared]));
    expect(profile.preload.safe).toBe(false);
    expect(profile.preload.reason).toBe("requests failed with --preload and 3 workers: /db → 500");
  });

  it("marks preload unsafe when the app did not boot with --preload", () => {
    const preload = run("preload", {
      ok: false,
      urls: [],
      master: null,
      workerMemory: [],
      error: "The app did not import",
    });
    expect(preloadVerdict(preload, run("preload-shared"))).toEqual({
      safe: false,
      reason: "the app did not boot with --preload and 1 worker: The app did not import",
    });
    expect(preloadVerdict(undefined, undefined).safe).toBe(false);
  });

  it("refuses to build without a measured plain run", () => {
    expect(() => buildProfile(inputs([run("preload")]))).toThrow(/plain run/);
  });
});

describe("median", () => {
  it("is the middle value, or the mean of the two middle ones", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBe(0);
  });
});

describe("renderProfileSummary", () => {
  it("prints the figures a person needs, and where the profile went", () => {
    const profile = buildProfile(inputs([run("single"), run("preload"), run("preload-shared")]));
    expect(renderProfileSummary(profile, "/work/main/.gwarden/profile.json")).toBe(
      [
        "Profile of app:app in example (gunicorn 20.1.0, sync, python3.11)",
        "  import time      0.80 s per worker",
        "  master           RSS 29 MiB  PSS 16 MiB  USS 13 MiB",
        "  worker           RSS 129 MiB  PSS 114 MiB  USS 110 MiB   ← USS is the cost of each extra worker",
        "  warm-up URLs     /health 200 (4 ms), /db 200 (4 ms)",
        "  preload          safe: booted with --preload, and every warm-up URL answered 2xx from 3 of 3 workers",
        "    master import  0.90 s",
        "    master         RSS 130 MiB  PSS 45 MiB  USS 18 MiB",
        "    worker private 17 MiB each (3 workers, --preload + gc.freeze())",
        "Written to /work/main/.gwarden/profile.json",
        "",
      ].join("\n"),
    );
  });

  it("says NOT safe and shows swap when there is some", () => {
    const single = run("single", { workerMemory: [{ ...mem(100, 90, 80), swap: 20 * MiB }] });
    const shared = run("preload-shared", { ok: false, urls: [url("/db", 500)] });
    const text = renderProfileSummary(buildProfile(inputs([single, run("preload"), shared])), null);
    expect(text).toContain(
      "preload          NOT safe: requests failed with --preload and 3 workers: /db → 500",
    );
    expect(text).toContain("swap 20 MiB");
    expect(text).not.toContain("Written to");
  });
});
