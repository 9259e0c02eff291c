import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { diagnose } from "../../../../src/core/doctor/findings.js";
import { effectiveConfig } from "../../../../src/core/doctor/effective-config.js";
import { parseConfAssignments } from "../../../../src/core/doctor/conf-file.js";
import { shellSplit } from "../../../../src/core/argv/shell-split.js";
import { isTmpfsDir, mountOf } from "../../../../src/core/cgroup/fs-type.js";
import { renderDoctor } from "../../../../src/core/doctor/render.js";
import type { DoctorInput } from "../../../../src/core/doctor/types.js";
import type { Profile } from "../../../../src/core/profile/types.js";
import type { Resources } from "../../../../src/core/resources/types.js";
import { repoRoot } from "../../../helpers/gunicorns.js";
import { slProfile } from "../plan/fixtures.js";

const MiB = 1024 * 1024;

function resources(
  limitMiB: number | null,
  over: { swap?: number | null; quota?: number | null; warnings?: string[] } = {},
): Resources {
  return {
    cgroup: {
      version: "v2",
      layout: "v2",
      memoryController: "v2",
      cpuController: "v2",
      memoryDir: "/sys/fs/cgroup",
      cpuDir: "/sys/fs/cgroup",
    },
    memory: {
      limitBytes: limitMiB === null ? null : limitMiB * MiB,
      highBytes: null,
      sizingLimitBytes: limitMiB === null ? null : limitMiB * MiB,
      hostTotalBytes: 4096 * MiB,
      hostAvailableBytes: 3000 * MiB,
      usageBytes: null,
      workingSetBytes: null,
      availableBytes: null,
      peakBytes: null,
    },
    swap: {
      limitBytes: over.swap === undefined ? 0 : over.swap,
      usageBytes: null,
      hostTotalBytes: 0,
      hostFreeBytes: 0,
    },
    cpu: {
      quota: over.quota === undefined ? 1 : over.quota,
      affinity: 2,
      effective: 1,
      effectiveFloor: 1,
      effectiveCeil: 1,
    },
    pressure: { memory: null, cpu: null, io: null },
    oom: { kills: null, ooms: null, maxEvents: null, highEvents: null, underOom: null, failcnt: null },
    sources: {},
    warnings: over.warnings ?? [],
  };
}

const MOUNTS = [
  "22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda rw",
  "25 22 0:21 / /dev/shm rw,nosuid,nodev shared:4 - tmpfs tmpfs rw",
  "26 22 0:22 / /run rw shared:5 - tmpfs tmpfs rw,mode=755",
].join("\n");

function doctorInput(over: Partial<DoctorInput> = {}): DoctorInput {
  return {
    resources: resources(1024),
    gunicorn: { path: "/usr/bin/gunicorn", version: "20.1.0" },
    configFile: null,
    env: {},
    argv: [],
    profile: null,
    mountinfo: MOUNTS,
    inContainer: false,
    ...over,
  };
}

const codes = (input: DoctorInput) => diagnose(input).findings.map((f) => f.code);

describe("doctor findings", () => {
  it("flags a timeout shorter than the measured boot on gunicorn ≤ 21", () => {
    const input = doctorInput({
      profile: slProfile(false, { importSeconds: 20 }),
      argv: ["gunicorn", "wsgi:app", "-w", "2", "--timeout", "15"],
    });
    const f = diagnose(input).findings.find((x) => x.code === "timeout-shorter-than-boot");
    expect(f?.severity).toBe("error");
    expect(f?.evidence).toContain("timeout = 15 (command-line)");
    expect(codes({ ...input, gunicorn: { path: null, version: "23.0.0" } })).not.toContain(
      "timeout-shorter-than-boot",
    );
    expect(codes({ ...input, argv: ["wsgi:app", "--preload", "--timeout", "15"] })).not.toContain(
      "timeout-shorter-than-boot",
    );
  });

  it("notes that gunicorn ≥ 22 never times out a booting worker", () => {
    expect(codes(doctorInput({ gunicorn: { path: null, version: "23.0.0" } }))).toContain(
      "boot-never-times-out",
    );
  });

  it("flags workers × memory over (error) or near (warning) the limit", () => {
    const over = diagnose(
      doctorInput({ resources: resources(256), argv: ["wsgi:app", "-w", "3"] }),
    ).findings.find((f) => f.code === "workers-exceed-memory");
    expect(over?.severity).toBe("error");
    const near = diagnose(
      doctorInput({ resources: resources(250), profile: slProfile(false), argv: ["wsgi:app", "-w", "2"] }),
    ).findings.find((f) => f.code === "workers-exceed-memory");
    expect(near?.severity).toBe("warning");
    expect(codes(doctorInput({ resources: resources(1024), argv: ["wsgi:app", "-w", "2"] }))).not.toContain(
      "workers-exceed-memory",
    );
  });

  it("estimates from PSS, close to what the lab measured, and says about", () => {
    // the example app's real profile; the lab measured 242.9 MiB at the peak of 2 workers under load
    // (docs/results/full/matrix.csv, grid-w2-t1 heavy) and 353.8 MiB for 3
    const profile = JSON.parse(
      readFileSync(join(repoRoot, "docs", "results", "full", "profile.json"), "utf8"),
    ) as Profile;
    const estimate = (workers: number, limit: number) =>
      diagnose(
        doctorInput({ resources: resources(limit), profile, argv: ["app:app", "-w", String(workers)] }),
      ).findings.find((f) => f.code === "workers-exceed-memory");
    // 2 workers use 84 % of 290 MiB: nothing to flag (RSS + N × USS said 273 MiB, within 10 %)
    expect(estimate(2, 290)).toBeUndefined();
    const two = estimate(2, 256)!;
    expect(two.message).toMatch(/^2 worker\(s\) need about 257\.5 MiB, over the 256 MiB limit/);
    expect(two.evidence[1]).toBe(
      "21.7 master PSS + 121.3 worker PSS (the profile's 1-worker run) + 1 × 114.5 USS = about 257.5 MiB",
    );
    expect(estimate(3, 360)!.message).toMatch(/need about 372 MiB/);
    // with preload, from the 3-worker preload run: exactly what it occupied for 3, plus USS beyond
    const preload = diagnose(
      doctorInput({ resources: resources(200), profile, argv: ["app:app", "-w", "4", "--preload"] }),
    ).findings.find((f) => f.code === "workers-exceed-memory")!;
    expect(preload.evidence[1]).toMatch(
      /^48\.4 master PSS \+ 3 × 43\.9 worker PSS \(the profile's 3-worker preload run\) \+ 1 × 16\.7 USS = about 196\.7 MiB$/,
    );
  });

  it("flags the heartbeat on a disk-backed filesystem, not on tmpfs", () => {
    expect(codes(doctorInput())).toContain("heartbeat-on-disk");
    expect(codes(doctorInput({ argv: ["app:app", "--worker-tmp-dir", "/dev/shm"] }))).not.toContain(
      "heartbeat-on-disk",
    );
    expect(codes(doctorInput({ env: { TMPDIR: "/run/user" } }))).not.toContain("heartbeat-on-disk");
  });

  it("flags a worker_tmp_dir the box does not have as an error, naming a tmpfs it has", () => {
    const heartbeatDirs = [
      { dir: "/dev/shm", usable: false, fsType: null },
      { dir: "/run/user/0", usable: true, fsType: "tmpfs" },
      { dir: "/tmp", usable: true, fsType: "ext4" },
    ];
    const report = diagnose(
      doctorInput({ argv: ["app:app", "--worker-tmp-dir", "/dev/shm"], heartbeatDirs }),
    );
    const missing = report.findings.find((f) => f.code === "heartbeat-dir-missing");
    expect(missing).toMatchObject({
      severity: "error",
      fix: "--worker-tmp-dir /run/user/0 (a tmpfs on this box)",
    });
    expect(report.findings.map((f) => f.code)).not.toContain("heartbeat-on-disk");
    // On disk with no tmpfs anywhere: the warning says to mount one.
    const none = diagnose(doctorInput({ heartbeatDirs: [{ dir: "/tmp", usable: true, fsType: "ext4" }] }));
    expect(none.findings.find((f) => f.code === "heartbeat-on-disk")?.fix).toMatch(/mount a tmpfs/);
  });

  it("flags no swap under 1 GiB only", () => {
    expect(codes(doctorInput({ resources: resources(512) }))).toContain("no-swap-small-box");
    expect(codes(doctorInput({ resources: resources(2048) }))).not.toContain("no-swap-small-box");
    expect(codes(doctorInput({ resources: resources(512, { swap: 512 * MiB }) }))).not.toContain(
      "no-swap-small-box",
    );
  });

  it("flags host figures inside a container", () => {
    const input = doctorInput({
      inContainer: true,
      resources: resources(null, { warnings: ["memory: no cgroup limit; falling back to host MemTotal"] }),
    });
    const f = diagnose(input).findings.find((x) => x.code === "host-figures-in-container");
    expect(f?.evidence[0]).toMatch(/host MemTotal/);
    expect(codes({ ...input, inContainer: false })).not.toContain("host-figures-in-container");
  });

  it("flags preload when the profile found it unsafe", () => {
    expect(codes(doctorInput({ profile: slProfile(false), argv: ["wsgi:app", "--preload"] }))).toContain(
      "preload-unsafe",
    );
    expect(codes(doctorInput({ profile: slProfile(true), argv: ["wsgi:app", "--preload"] }))).not.toContain(
      "preload-unsafe",
    );
    expect(codes(doctorInput({ argv: ["wsgi:app", "--preload"] }))).not.toContain("preload-unsafe");
  });

  it("flags GUNICORN_CMD_ARGS and WEB_CONCURRENCY overridden by the command line", () => {
    const input = doctorInput({
      env: { GUNICORN_CMD_ARGS: "--timeout 60 --workers 1 --worker-tmp-dir /dev/shm", WEB_CONCURRENCY: "3" },
      argv: ["gunicorn", "wsgi:app", "-b", "0.0.0.0:7777", "-w", "2", "--timeout", "15"],
    });
    const f = diagnose(input).findings.find((x) => x.code === "env-overridden-by-cli");
    expect(f?.evidence).toEqual([
      "GUNICORN_CMD_ARGS --timeout 60 is overridden by `--timeout 15` on the command line",
      "GUNICORN_CMD_ARGS --workers 1 is overridden by `-w 2` on the command line",
      "WEB_CONCURRENCY=3 is overridden by workers = 2 from the command-line",
    ]);
    // SimpleLogin's case (simplelogin.md §6): the tmp dir from the env still applies.
    expect(diagnose(input).config.effective.worker_tmp_dir).toEqual({
      value: "/dev/shm",
      source: "GUNICORN_CMD_ARGS",
    });
  });

  it("reports a missing gunicorn, errors first", () => {
    const report = diagnose(doctorInput({ gunicorn: { path: null, version: null } }));
    expect(report.findings[0]?.code).toBe("gunicorn-missing");
    expect(renderDoctor(report)).toMatch(/gunicorn {2}not found/);
  });
});

describe("effective configuration", () => {
  it("follows gunicorn's precedence: defaults < WEB_CONCURRENCY < file < GUNICORN_CMD_ARGS < command line", () => {
    const eff = effectiveConfig({
      configFile: {
        path: "gunicorn.conf.py",
        text: "workers = 3\ntimeout = 40\npreload_app = True\nthreads=2  # two\n",
      },
      env: { GUNICORN_CMD_ARGS: "--workers 2 --timeout 50", WEB_CONCURRENCY: "5" },
      argv: ["app:app", "-w", "1"],
    });
    expect(eff.workers).toEqual({ value: "1", source: "command-line" });
    expect(eff.timeout).toEqual({ value: "50", source: "GUNICORN_CMD_ARGS" });
    expect(eff.preload_app).toEqual({ value: "true", source: "config-file" });
    expect(eff.worker_class).toEqual({ value: "gthread", source: "config-file" });
    expect(eff.backlog).toEqual({ value: "2048", source: "default" });
  });

  it("reads conf assignments textually and shell-splits env args", () => {
    expect(
      parseConfAssignments(
        "bind = ['0.0.0.0:80']\nworker_tmp_dir = \"/dev/shm\"\n  indented = 1\nx = os.environ['X']",
      ),
    ).toEqual({
      bind: "['0.0.0.0:80']",
      worker_tmp_dir: "/dev/shm",
      x: "os.environ['X']",
    });
    expect(shellSplit(`--a 'b c' "d \\"e\\"" f\\ g`)).toEqual(["--a", "b c", 'd "e"', "f g"]);
  });

  it("finds the filesystem of a directory", () => {
    expect(isTmpfsDir(MOUNTS, "/dev/shm")).toBe(true);
    expect(isTmpfsDir(MOUNTS, "/dev/shm/x")).toBe(true);
    expect(isTmpfsDir(MOUNTS, "/tmp")).toBe(false);
    expect(mountOf(MOUNTS, "/dev/shmx")?.mountPoint).toBe("/");
  });
});
