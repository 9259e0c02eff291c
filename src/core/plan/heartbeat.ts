/**
 * Where the workers' heartbeat files go (worker_tmp_dir). Every worker touches its file each loop and
 * the master reads them: on a slow or hung disk that is a WORKER TIMEOUT, so a tmpfs is best. But a
 * directory that does not exist makes gunicorn fail at every start (seen in a guest without /dev/shm:
 * `gwarden run` flapped, then gave up), so a dir is named only when the box showed it exists, is
 * writable and is in memory; else gunicorn keeps its own default and doctor warns.
 */
import { isMemoryFs } from "../cgroup/fs-type.js";
import type { HeartbeatDirFact, PlanReason } from "./types.js";

/** The directories the adapter checks, preferred first ($XDG_RUNTIME_DIR is added when set). */
export const HEARTBEAT_CANDIDATES = ["/dev/shm", "/run/shm", "/tmp"] as const;

/** The first usable in-memory candidate, or null (gunicorn's default), with the reason and a warning when there is none. */
export function chooseHeartbeatDir(facts: readonly HeartbeatDirFact[]): {
  dir: string | null;
  reason: PlanReason;
  warning: string | null;
} {
  const found = facts.find((f) => f.usable && f.fsType !== null && isMemoryFs(f.fsType));
  if (found) {
    const first = facts[0];
    const instead =
      first && first.dir !== found.dir
        ? ` (${first.dir} ${first.usable ? `is on ${first.fsType ?? "an unknown filesystem"}` : "is missing or not writable"})`
        : "";
    return {
      dir: found.dir,
      reason: {
        value: found.dir,
        reason: `on ${found.fsType}${instead}: a heartbeat in memory never blocks on a slow or hung disk (a blocked heartbeat is a WORKER TIMEOUT)`,
      },
      warning: null,
    };
  }
  const seen = facts
    .map((f) => `${f.dir}: ${f.usable ? (f.fsType ?? "unknown filesystem") : "missing"}`)
    .join(", ");
  return {
    dir: null,
    reason: {
      value: "gunicorn's default (TMPDIR or /tmp)",
      reason: `no usable tmpfs among the candidates (${seen || "none checked"}); naming a missing directory would stop gunicorn at start`,
    },
    warning: `No usable tmpfs for the heartbeat files (${seen || "none checked"}): gunicorn keeps its default (TMPDIR or /tmp); on a disk-backed /tmp a slow disk causes WORKER TIMEOUT. Mount a tmpfs (e.g. /dev/shm) to fix it.`,
  };
}
