/**
 * `/proc/<pid>/oom_score_adj`: workers are raised so the kernel's OOM killer picks a worker (gunicorn
 * replaces it) rather than the master or gwarden (baseline-lessons.md §3). Lowering needs
 * CAP_SYS_RESOURCE (root); raising is always allowed. Best-effort: failures are returned, not thrown.
 */
import { writeFileSync } from "node:fs";

/** Workers: the first the kernel kills. */
export const WORKER_OOM_SCORE_ADJ = 1000;
/** The master: protected (only root may lower it). */
export const MASTER_OOM_SCORE_ADJ = -500;
/** gwarden itself. */
export const SUPERVISOR_OOM_SCORE_ADJ = -900;

export interface OomScoreEffects {
  procRoot?: string;
  write?: (path: string, text: string) => void;
}

/** Writes the value; returns null on success or the reason it failed (`EACCES`, `ENOENT` ...). */
export function setOomScoreAdj(pid: number, value: number, effects: OomScoreEffects = {}): string | null {
  const write = effects.write ?? ((path: string, text: string) => writeFileSync(path, text));
  try {
    write(`${effects.procRoot ?? "/proc"}/${pid}/oom_score_adj`, `${value}\n`);
    return null;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? String(error);
  }
}
