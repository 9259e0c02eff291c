import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../../../helpers/gunicorns.js";

/** Reads a captured /proc fixture under test/fixtures/proc/. */
export function procFixture(...parts: string[]): string {
  return readFileSync(join(repoRoot, "test", "fixtures", "proc", ...parts), "utf8");
}

/** The gunicorn master (2 sync workers, backlog held open) captured in test/fixtures/proc/gunicorn-2-workers. */
export const capturedMaster = Number(procFixture("gunicorn-2-workers", "MASTER_PID").trim());
export const capturedWorkers = [7658, 7659];
