/**
 * The one-call resource detection others use (plan, doctor, profile, run, the sampler): reads the real
 * /proc and /sys (or a copy under `root`). Cheap enough to call every second: a few dozen small reads.
 */
import { availableParallelism } from "node:os";
import type { Resources } from "../../core/resources/types.js";
import { detect } from "../../core/resources/detect.js";
import { rootedReader } from "./root-fs.js";

export interface DetectResourcesOptions {
  /** Directory holding proc/ and sys/ (default "/": this machine). */
  root?: string;
  /** CPUs in the affinity mask (default os.availableParallelism()). Under a non-"/" root, proc/self/status wins. */
  affinityCpus?: number;
}

/** Detects the resources this process really has (cgroup limits, usage, host fallback, PSI, OOM counters). */
export function detectResources({
  root = "/",
  affinityCpus = availableParallelism(),
}: DetectResourcesOptions = {}): Resources {
  return detect({ read: rootedReader(root), affinityCpus, affinityFromStatus: root !== "/" });
}
