/**
 * The order in which the kernel's OOM killer should pick `gwarden run`'s processes (oom_score_adj):
 * a worker first, then the master, gwarden itself last. Lowering a score needs CAP_SYS_RESOURCE;
 * raising one does not.
 */

/** The kernel picks workers first when the group is full (gunicorn's master and gwarden are worth more). */
export const WORKER_OOM_SCORE_ADJ = 1000;
/** The master keeps the app when preload is on: the kernel should pick a worker before it. */
export const MASTER_OOM_SCORE_ADJ = -500;
/**
 * Where nothing may be lowered (no CAP_SYS_RESOURCE, as in Docker's default capabilities), gwarden and
 * the master both stay at 0 and the kernel picks the larger: without preload that is gwarden (~60 MiB
 * of RSS against a master's ~25), seen here as the second victim right after a worker's OOM kill. A dead
 * master is restarted; a dead gwarden (often PID 1) ends the container. So the master is raised
 * instead, between the workers and gwarden (0).
 */
export const MASTER_FALLBACK_OOM_SCORE_ADJ = 500;

/** After writing `value` to the master's score: the score to write next (or null), and what to say (or null). */
export function masterScoreOutcome(
  value: number,
  error: string | null,
): { next: number | null; text: string | null } {
  if (value === MASTER_FALLBACK_OOM_SCORE_ADJ) return { next: null, text: null };
  if (error === "EACCES" && value < 0)
    return {
      next: MASTER_FALLBACK_OOM_SCORE_ADJ,
      text: `oom_score_adj: nothing can be lowered here (EACCES: that needs CAP_SYS_RESOURCE), so the master is raised to ${MASTER_FALLBACK_OOM_SCORE_ADJ} and workers to ${WORKER_OOM_SCORE_ADJ}: the kernel picks a worker first, then the master (gwarden restarts it), and gwarden itself last`,
    };
  return {
    next: null,
    text:
      error === null
        ? `oom_score_adj: the master lowered to ${MASTER_OOM_SCORE_ADJ}, workers raised to ${WORKER_OOM_SCORE_ADJ}: the kernel picks a worker before the master`
        : `oom_score_adj: the master stays as it is (${error}); workers are raised to ${WORKER_OOM_SCORE_ADJ}, so the kernel still picks a worker first`,
  };
}
