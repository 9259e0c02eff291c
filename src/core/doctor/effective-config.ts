/**
 * The configuration gunicorn will run with, resolved the way gunicorn does (gunicorn.md §6.1):
 * defaults < WEB_CONCURRENCY (workers only) < config file < GUNICORN_CMD_ARGS < command line.
 */
import type { DoctorInput, EffectiveSetting } from "./types.js";
import { parseConfAssignments } from "./conf-file.js";
import { shellSplit } from "../argv/shell-split.js";
import { commandLineSettings } from "../plan/conflicts.js";

/** The settings doctor looks at, with gunicorn's defaults (23.0). */
export const GUNICORN_DEFAULTS: Record<string, string> = {
  workers: "1",
  threads: "1",
  worker_class: "sync",
  timeout: "30",
  graceful_timeout: "30",
  max_requests: "0",
  max_requests_jitter: "0",
  preload_app: "false",
  worker_tmp_dir: "/tmp",
  backlog: "2048",
  keepalive: "2",
};

/** Settings fixed by GUNICORN_CMD_ARGS (its positional app is ignored by gunicorn). */
export function envArgsSettings(value: string | undefined): Record<string, { text: string; value: string }> {
  if (value === undefined || value.trim() === "") return {};
  return commandLineSettings(["gunicorn", ...shellSplit(value)]);
}

/** Every watched setting with its effective value and where it came from. */
export function effectiveConfig(
  input: Pick<DoctorInput, "configFile" | "env" | "argv">,
): Record<string, EffectiveSetting> {
  const out: Record<string, EffectiveSetting> = {};
  for (const [name, value] of Object.entries(GUNICORN_DEFAULTS)) out[name] = { value, source: "default" };
  if (input.env.TMPDIR) out.worker_tmp_dir = { value: input.env.TMPDIR, source: "default" };
  const wc = input.env.WEB_CONCURRENCY;
  if (wc !== undefined && /^\d+$/.test(wc.trim()))
    out.workers = { value: String(Number(wc)), source: "WEB_CONCURRENCY" };
  const file = input.configFile ? parseConfAssignments(input.configFile.text) : {};
  for (const name of Object.keys(GUNICORN_DEFAULTS)) {
    const v = file[name];
    if (v !== undefined) out[name] = { value: v, source: "config-file" };
  }
  for (const [name, s] of Object.entries(envArgsSettings(input.env.GUNICORN_CMD_ARGS))) {
    if (name in GUNICORN_DEFAULTS) out[name] = { value: s.value, source: "GUNICORN_CMD_ARGS" };
  }
  for (const [name, s] of Object.entries(commandLineSettings(input.argv))) {
    if (name in GUNICORN_DEFAULTS) out[name] = { value: s.value, source: "command-line" };
  }
  // threads > 1 with the sync class means gthread (config.py).
  const threads = Number(out.threads?.value);
  if (out.worker_class?.value === "sync" && threads > 1)
    out.worker_class = { value: "gthread", source: out.threads!.source };
  return out;
}
