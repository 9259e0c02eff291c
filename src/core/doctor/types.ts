/** `gwarden doctor`: one look at a box. Inputs are gathered by the command; findings are pure. */
import type { Resources } from "../resources/types.js";
import type { Profile } from "../profile/types.js";

export type Severity = "error" | "warning" | "info";

/** Stable kebab-case codes, each documented in docs/troubleshooting.md. */
export const FINDING_CODES = [
  "gunicorn-missing",
  "timeout-shorter-than-boot",
  "boot-never-times-out",
  "workers-exceed-memory",
  "heartbeat-on-disk",
  "no-swap-small-box",
  "host-figures-in-container",
  "preload-unsafe",
  "env-overridden-by-cli",
] as const;
export type FindingCode = (typeof FINDING_CODES)[number];

export interface Finding {
  code: FindingCode;
  severity: Severity;
  message: string;
  evidence: string[];
  fix: string;
}

/** Where an effective setting came from, lowest to highest precedence (gunicorn.md §6.1). */
export type SettingSource =
  "default" | "WEB_CONCURRENCY" | "config-file" | "GUNICORN_CMD_ARGS" | "command-line";

export interface EffectiveSetting {
  value: string;
  source: SettingSource;
}

export interface DoctorInput {
  resources: Resources;
  gunicorn: { path: string | null; version: string | null };
  /** The config file gunicorn would read (./gunicorn.conf.py or -c), as text, or null. */
  configFile: { path: string; text: string } | null;
  env: {
    GUNICORN_CMD_ARGS?: string | undefined;
    WEB_CONCURRENCY?: string | undefined;
    TMPDIR?: string | undefined;
  };
  /** The gunicorn command line given after `--` (may be empty). */
  argv: string[];
  profile: Profile | null;
  /** /proc/self/mountinfo text, or null when unreadable. */
  mountinfo: string | null;
  /** /.dockerenv, /run/.containerenv or KUBERNETES_SERVICE_HOST seen. */
  inContainer: boolean;
}

export interface DoctorReport {
  box: {
    memoryLimitBytes: number | null;
    hostTotalBytes: number | null;
    cpus: number;
    swapBytes: number | null;
    cgroupVersion: string;
    inContainer: boolean;
  };
  gunicorn: { path: string | null; version: string | null };
  config: {
    file: string | null;
    gunicornCmdArgs: string | null;
    webConcurrency: string | null;
    argv: string[];
    effective: Record<string, EffectiveSetting>;
    heartbeat: { dir: string; fsType: string | null };
  };
  findings: Finding[];
}
