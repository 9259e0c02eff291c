/** What will fail on this box, from the inputs doctor gathered. Pure. */
import type { DoctorInput, DoctorReport, EffectiveSetting, Finding } from "./types.js";
import { effectiveConfig, envArgsSettings } from "./effective-config.js";
import { chooseHeartbeatDir } from "../plan/heartbeat.js";
import { mountOf, isMemoryFs } from "../cgroup/fs-type.js";
import { bootCountsInTimeout } from "../plan/timeouts.js";
import { commandLineSettings } from "../plan/conflicts.js";
import { mib } from "../plan/mib.js";
import { estimateMemory } from "./memory-estimate.js";

const GiB = 1024 * 1024 * 1024;
/** Above this share of the limit the workers are too close to it (baseline-lessons 2: 92 % survived with no room). */
const NEAR_LIMIT = 0.9;

function num(s: EffectiveSetting | undefined, fallback: number): number {
  const n = Number(s?.value);
  return Number.isFinite(n) ? n : fallback;
}

function timeoutFindings(input: DoctorInput, eff: Record<string, EffectiveSetting>): Finding[] {
  const version = input.gunicorn.version;
  const preload = eff.preload_app?.value === "true";
  const timeout = num(eff.timeout, 30);
  const workers = Math.max(1, num(eff.workers, 1));
  const out: Finding[] = [];
  if (bootCountsInTimeout(version) && !preload && timeout > 0 && input.profile !== null) {
    const cpus = Math.max(0.01, input.resources.cpu.effective);
    const boot = input.profile.importSeconds * Math.max(1, workers / cpus);
    if (timeout <= boot) {
      out.push({
        code: "timeout-shorter-than-boot",
        severity: "error",
        message: `timeout ${timeout} s is not longer than the boot (${boot.toFixed(1)} s: ${input.profile.importSeconds.toFixed(1)} s import × ${workers} workers on ${cpus} CPUs); gunicorn ${version ?? "≤ 21"} counts the import inside timeout, so workers loop on WORKER TIMEOUT`,
        evidence: [
          `timeout = ${timeout} (${eff.timeout?.source})`,
          `profile importSeconds = ${input.profile.importSeconds}`,
          `gunicorn ${version ?? "unknown"}`,
        ],
        fix: `raise timeout above ${Math.ceil(boot * 3)} s, use --preload if the profile proves it safe, or upgrade to gunicorn ≥ 22 and run under gwarden run (boot deadline)`,
      });
    }
  }
  if (version !== null && !bootCountsInTimeout(version)) {
    out.push({
      code: "boot-never-times-out",
      severity: "info",
      message: `gunicorn ${version} never times out a booting worker: one that hangs while importing (a DB connect at import, a deadlock) stays hung forever`,
      evidence: [`gunicorn ${version}`],
      fix: "run it under `gwarden run`, which kills a worker that misses its boot deadline",
    });
  }
  return out;
}

function memoryFinding(input: DoctorInput, eff: Record<string, EffectiveSetting>): Finding[] {
  const r = input.resources;
  const limit = r.memory.limitBytes ?? r.memory.hostTotalBytes;
  if (limit === null) return [];
  const workers = Math.max(1, num(eff.workers, 1));
  const preload = eff.preload_app?.value === "true";
  const need = estimateMemory(input.profile, workers, preload);
  if (need.bytes <= limit * NEAR_LIMIT) return [];
  const over = need.bytes > limit;
  return [
    {
      code: "workers-exceed-memory",
      severity: over ? "error" : "warning",
      message: `${workers} worker(s) need about ${mib(need.bytes)} MiB, ${over ? "over" : "within 10 % of"} the ${mib(limit)} MiB ${r.memory.limitBytes !== null ? "limit" : "host memory"}${over ? ": the OOM killer will kill workers, often in a boot loop" : ": nothing left for page cache, a supervisor or growth"}`,
      evidence: [`workers = ${workers} (${eff.workers?.source})`, need.arithmetic],
      fix: "use the worker count from `gwarden plan` (fewer workers, threads, or preload when the profile proves it safe), or raise the memory limit",
    },
  ];
}

function boxFindings(input: DoctorInput, eff: Record<string, EffectiveSetting>): Finding[] {
  const r = input.resources;
  const out: Finding[] = [];
  const dir = eff.worker_tmp_dir?.value ?? "/tmp";
  const mount = input.mountinfo === null ? null : mountOf(input.mountinfo, dir);
  const facts = input.heartbeatDirs ?? [];
  const tmpfs = chooseHeartbeatDir(facts.filter((f) => f.dir !== dir)).dir;
  const betterDir =
    tmpfs === null
      ? "mount a tmpfs (e.g. at /dev/shm) and pass --worker-tmp-dir to it"
      : `--worker-tmp-dir ${tmpfs} (a tmpfs on this box)`;
  if (facts.find((f) => f.dir === dir)?.usable === false) {
    out.push({
      code: "heartbeat-dir-missing",
      severity: "error",
      message: `worker_tmp_dir ${dir} does not exist or is not writable: gunicorn cannot create the workers' heartbeat files and fails at every start`,
      evidence: [`worker_tmp_dir = ${dir} (${eff.worker_tmp_dir?.source})`],
      fix:
        tmpfs === null
          ? "remove the setting (gunicorn's default is TMPDIR or /tmp), or create the directory"
          : betterDir,
    });
  } else if (mount !== null && !isMemoryFs(mount.fsType)) {
    out.push({
      code: "heartbeat-on-disk",
      severity: "warning",
      message: `worker_tmp_dir ${dir} is on ${mount.fsType} (${mount.mountPoint}): every worker heartbeat is a metadata write there, and a slow or hung disk turns into WORKER TIMEOUT`,
      evidence: [
        `worker_tmp_dir = ${dir} (${eff.worker_tmp_dir?.source})`,
        `mount ${mount.mountPoint} type ${mount.fsType} source ${mount.source}`,
      ],
      fix: betterDir,
    });
  }
  const memory = r.memory.limitBytes ?? r.memory.hostTotalBytes;
  const swap = r.swap.limitBytes ?? r.swap.hostTotalBytes;
  if (
    memory !== null &&
    memory < GiB &&
    (swap === 0 || (r.swap.hostTotalBytes === 0 && r.swap.limitBytes === null))
  ) {
    out.push({
      code: "no-swap-small-box",
      severity: "warning",
      message: `no swap on a ${mib(memory)} MiB box: any spike past the limit is an immediate OOM kill`,
      evidence: [`memory ${mib(memory)} MiB`, `swap ${swap === null ? "unknown" : mib(swap)} MiB`],
      fix: "add a small swap file (e.g. 512 MiB) or keep a bigger margin (`gwarden plan --low-memory`)",
    });
  }
  if (input.inContainer && (r.memory.limitBytes === null || r.cpu.quota === null)) {
    const hostWarnings = r.warnings.filter((w) => /host|no cgroup|unlimited/i.test(w));
    out.push({
      code: "host-figures-in-container",
      severity: "warning",
      message: `inside a container but no ${r.memory.limitBytes === null ? "memory limit" : "CPU quota"} is visible: sizing from the host's figures over-subscribes the container`,
      evidence:
        hostWarnings.length > 0
          ? hostWarnings
          : [`memory.limitBytes = ${r.memory.limitBytes}`, `cpu.quota = ${r.cpu.quota}`],
      fix: "set the container's memory/CPU limits (docker --memory/--cpus, Kubernetes resources.limits), or plan with `--memory` and `--cpus`",
    });
  }
  return out;
}

function configFindings(input: DoctorInput, eff: Record<string, EffectiveSetting>): Finding[] {
  const out: Finding[] = [];
  const p = input.profile;
  if (eff.preload_app?.value === "true" && p !== null && !p.preload.safe) {
    out.push({
      code: "preload-unsafe",
      severity: "error",
      message: `preload is on, but the profile found it unsafe: ${p.preload.reason}`,
      evidence: [`preload_app = true (${eff.preload_app.source})`, `profile preload.safe = false`],
      fix: "turn preload off, or open DB connections after fork (post_fork / engine.dispose()) and profile again",
    });
  }
  const cli = commandLineSettings(input.argv);
  const overridden: string[] = [];
  for (const [name, s] of Object.entries(envArgsSettings(input.env.GUNICORN_CMD_ARGS))) {
    const c = cli[name];
    if (c !== undefined && c.value !== s.value)
      overridden.push(`GUNICORN_CMD_ARGS ${s.text} is overridden by \`${c.text}\` on the command line`);
  }
  const wc = input.env.WEB_CONCURRENCY;
  if (
    wc !== undefined &&
    eff.workers !== undefined &&
    eff.workers.source !== "WEB_CONCURRENCY" &&
    eff.workers.source !== "default"
  ) {
    overridden.push(
      `WEB_CONCURRENCY=${wc} is overridden by workers = ${eff.workers.value} from the ${eff.workers.source}`,
    );
  }
  if (overridden.length > 0) {
    out.push({
      code: "env-overridden-by-cli",
      severity: "warning",
      message:
        "settings given in the environment are silently ignored: command-line flags (and for WEB_CONCURRENCY any explicit workers) win",
      evidence: overridden,
      fix: "remove the flag from the command line (e.g. SimpleLogin's `-w 2 --timeout 15`) so GUNICORN_CMD_ARGS / WEB_CONCURRENCY take effect",
    });
  }
  return out;
}

/** The whole doctor report: box, gunicorn, effective config and findings (errors first). */
export function diagnose(input: DoctorInput): DoctorReport {
  const eff = effectiveConfig(input);
  const findings: Finding[] = [];
  if (input.gunicorn.path === null && input.gunicorn.version === null) {
    findings.push({
      code: "gunicorn-missing",
      severity: "error",
      message: "no gunicorn found on PATH (or at the command given)",
      evidence: ["`gunicorn --version` failed"],
      fix: "install it (Debian: apt-get install gunicorn) or give its path after `--`",
    });
  }
  findings.push(
    ...timeoutFindings(input, eff),
    ...memoryFinding(input, eff),
    ...boxFindings(input, eff),
    ...configFindings(input, eff),
  );
  const rank = { error: 0, warning: 1, info: 2 } as const;
  findings.sort((a, b) => rank[a.severity] - rank[b.severity]);
  const dir = eff.worker_tmp_dir?.value ?? "/tmp";
  const r = input.resources;
  return {
    box: {
      memoryLimitBytes: r.memory.limitBytes,
      hostTotalBytes: r.memory.hostTotalBytes,
      cpus: r.cpu.effective,
      swapBytes: r.swap.limitBytes ?? r.swap.hostTotalBytes,
      cgroupVersion: r.cgroup.version,
      inContainer: input.inContainer,
    },
    gunicorn: input.gunicorn,
    config: {
      file: input.configFile?.path ?? null,
      gunicornCmdArgs: input.env.GUNICORN_CMD_ARGS ?? null,
      webConcurrency: input.env.WEB_CONCURRENCY ?? null,
      argv: input.argv,
      effective: eff,
      heartbeat: {
        dir,
        fsType: input.mountinfo === null ? null : (mountOf(input.mountinfo, dir)?.fsType ?? null),
      },
    },
    findings,
  };
}
