/**
 * The lab's main loop: every (tier, config) instance in order, its cells appended to the run's data
 * and every output rewritten after each cell, one progress line per cell on stderr. Ctrl-C (SIGINT) or
 * SIGTERM stops the current instance, removes its sandbox, marks the results partial and writes them.
 */
import type { ChildProcess } from "node:child_process";
import { cellLine, instanceLine, tierLine } from "../../core/lab/progress.js";
import type { ScenarioSettings } from "../../core/lab/scenarios.js";
import type { LabInstanceSpec, LabRunData } from "../../core/lab/types.js";
import { runInstance } from "./instance.js";
import type { InstanceLaunch } from "./launch.js";
import { writeLabOutputs } from "./outputs.js";
import type { SandboxedGunicorn } from "../sandbox/sandboxed-gunicorn.js";
import { processShutdown, type StopSignal } from "../platform/shutdown.js";

export interface LabRunOptions {
  specs: LabInstanceSpec[];
  launchFor: (spec: LabInstanceSpec) => InstanceLaunch;
  settings: ScenarioSettings;
  outDir: string;
  data: LabRunData;
  say?: (line: string) => void;
}

/** Live things to stop on an interrupt (the profile child before the matrix starts). */
export const interruptTargets: { child: ChildProcess | null; instance: SandboxedGunicorn | null } = {
  child: null,
  instance: null,
};

/** Installs the SIGINT/SIGTERM handler: stop what runs, write partial results, exit 130/143. Returns the uninstaller. */
export function handleInterrupts(
  outDir: string,
  data: LabRunData,
  say: (line: string) => void,
): { interrupted: () => boolean; release: () => void } {
  let interrupted = false;
  const handler = (signal: StopSignal): void => {
    if (interrupted) return;
    interrupted = true;
    say(`gwarden lab: ${signal}: stopping, partial results in ${outDir}`);
    interruptTargets.child?.kill("SIGTERM");
    const instance = interruptTargets.instance;
    data.complete = false;
    data.notes.push(`Interrupted by ${signal}: the cells listed are the ones that finished.`);
    const finish = (): void => {
      try {
        writeLabOutputs(outDir, data);
      } finally {
        process.exit(signal === "SIGINT" ? 130 : 143);
      }
    };
    if (instance) void instance.stop(1_000).finally(finish);
    else finish();
  };
  const release = processShutdown().onStop(handler);
  return { interrupted: () => interrupted, release };
}

/** Runs the whole matrix; the outputs are complete when it resolves. */
export async function runLab(options: LabRunOptions, interrupted: () => boolean): Promise<LabRunData> {
  const say = options.say ?? ((line: string) => process.stderr.write(`${line}\n`));
  const { data } = options;
  writeLabOutputs(options.outDir, data);
  for (const [i, spec] of options.specs.entries()) {
    if (interrupted()) break;
    say(instanceLine(spec, i + 1, options.specs.length));
    const { trace } = await runInstance({
      spec,
      launch: options.launchFor(spec),
      settings: options.settings,
      interrupted,
      onStart: (instance) => (interruptTargets.instance = instance),
      onCell: (cell) => {
        data.cells.push(cell);
        say(cellLine(cell));
        writeLabOutputs(options.outDir, data);
      },
    });
    interruptTargets.instance = null;
    data.traces.push(trace);
    writeLabOutputs(options.outDir, data);
    if (options.specs[i + 1]?.tierBytes !== spec.tierBytes) {
      const line = tierLine(data.cells, spec.tierBytes);
      if (line !== null) say(line);
    }
  }
  data.complete = !interrupted();
  writeLabOutputs(options.outDir, data);
  return data;
}
