/**
 * `gwarden lab --sandbox box`, what the VM lab runs inside each guest: the whole machine is the tier.
 * Instances get a limitless cgroup each (src/adapters/sandbox/box-sandbox.ts); the plan is made from
 * what `detect` finds on the box, exactly as `gwarden run` will plan there; the box's RAM, swap and the
 * app's import time on its vCPU are recorded for the host's box statement.
 */
import { readFileSync } from "node:fs";
import { parseMemInfo } from "../../core/cgroup/meminfo.js";
import type { LabRunData } from "../../core/lab/types.js";
import { planResources } from "../../core/plan/inputs.js";
import type { PlanResources } from "../../core/plan/types.js";
import type { Profile } from "../../core/profile/types.js";
import { detectResources } from "../resources/resources.js";
import { heartbeatDirFacts } from "../resources/heartbeat-dirs.js";
import { createBoxSandbox, peakSwapBytes } from "../sandbox/box-sandbox.js";
import { writeLabOutputs } from "./outputs.js";

let detected: PlanResources | null = null;

function resources(): PlanResources {
  if (detected === null) {
    detected = planResources(detectResources(), {}, heartbeatDirFacts());
  }
  return detected;
}

/** The box's CPUs, as `gwarden run` will see them. */
export function boxCpus(): number {
  return resources().cpus;
}

/** The launch context's box: detected resources and the limitless sandbox. */
export function boxContext(): { resources: PlanResources; makeSandbox: typeof createBoxSandbox } {
  return { resources: resources(), makeSandbox: createBoxSandbox };
}

/** Records the box's facts before the matrix runs. */
export function startBox(data: LabRunData, tierBytes: number, profile: Profile): void {
  const mem = parseMemInfo(readFileSync("/proc/meminfo", "utf8"));
  data.box = {
    vcpus: boxCpus(),
    swap: null,
    hostImportSeconds: null,
    tiers: [
      {
        tierBytes,
        memTotalBytes: mem.totalBytes,
        swapTotalBytes: mem.swapTotalBytes,
        importSeconds: profile.importSeconds,
        peakSwapUsedBytes: 0,
        bootSeconds: null,
        kernel: null,
      },
    ],
  };
}

/** Adds the peak swap seen while the instances ran, and writes the outputs again. */
export function finishBox(data: LabRunData, outDir: string): void {
  const tier = data.box?.tiers[0];
  if (tier) tier.peakSwapUsedBytes = peakSwapBytes();
  writeLabOutputs(outDir, data);
}
