import { warningsBesideWhatIf, type WhatIf } from "../plan/inputs.js";
import type { Resources } from "../resources/types.js";

/**
 * The box as `--memory` / `--cpus` say it will be: doctor judges the configuration against these figures
 * instead of the detected ones (and the detection warnings they replace no longer apply).
 */
export function withWhatIf(resources: Resources, whatIf: WhatIf): Resources {
  const { memoryBytes, cpus } = whatIf;
  return {
    ...resources,
    memory:
      memoryBytes === undefined
        ? resources.memory
        : { ...resources.memory, limitBytes: memoryBytes, sizingLimitBytes: memoryBytes, highBytes: null },
    cpu:
      cpus === undefined
        ? resources.cpu
        : {
            ...resources.cpu,
            quota: cpus,
            effective: cpus,
            effectiveFloor: Math.max(1, Math.floor(cpus)),
            effectiveCeil: Math.ceil(cpus),
          },
    warnings: warningsBesideWhatIf(resources.warnings, whatIf),
  };
}
