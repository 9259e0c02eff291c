/**
 * The lab's main loop: every (tier, config) instance in order, its cells appended to the run's data
 * and every output rewritten after each cell, one progress line per cell on stderr; after a tier's
 * matrix, its run-off (src/core/lab/repeats.ts). Ctrl-C (SIGINT) or SIGTERM stops the current
 * instance, removes its sandbox, marks the results partial and writes them.
 */
import type { ChildProcess } from "node:child_process";
import { compareThroughput } from "../../core/lab/compare.js";
import { cellLine, instanceLine, tierLine } from "../../core/lab/progress.js";
import { mergeRepeats, runOffSpecs } from "../../core/lab/repeats.js";
import type { ScenarioSettings } from "../../core/lab/scenarios.js";
import type { LabInstanceSpec, LabRunData, RunOff, RunOffRound } from "../../core/lab/types.js";
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
      await runOff(options, spec.tierBytes, interrupted, say);
      const line = tierLine(data.cells, spec.tierBytes, data.runOffs);
      if (line !== null) say(line);
    }
  }
  data.complete = !interrupted();
  writeLabOutputs(options.outDir, data);
  return data;
}

/**
 * The run-off's passes load twice as long as the matrix's heavy cells: two configs only, and a fresh
 * instance's first seconds (caches, the supervisor's start) weigh half as much.
 */
const RUN_OFF_LOAD_SCALE = 2;

/**
 * A tier's run-off, with `--repeat N` (N ≥ 2) when the tier ran the planned config and a grid layout
 * passed everything: N rounds of one heavy pass each of planned, that layout and (where it passed
 * everything) gunicorn's default, alternating, recorded in `data.runOffs`.
 */
async function runOff(
  options: LabRunOptions,
  tierBytes: number,
  interrupted: () => boolean,
  say: (line: string) => void,
): Promise<void> {
  const { data } = options;
  const rounds = data.repeat ?? 1;
  const tierSpecs = options.specs.filter((s) => s.tierBytes === tierBytes);
  const planned = tierSpecs.find((s) => s.config.kind === "planned" && s.scenarios.includes("heavy"));
  const comparison = compareThroughput(mergeRepeats(data.cells), [tierBytes])[0];
  const best = comparison?.best ?? null;
  const bestConfig = tierSpecs.find((s) => s.config.name === best?.config)?.config;
  if (rounds < 2 || planned === undefined || best === null || bestConfig === undefined || interrupted())
    return;
  const defaultConfig = comparison?.versusDefault?.passed
    ? tierSpecs.find((s) => s.config.kind === "default" && s.scenarios.includes("heavy"))?.config
    : undefined;
  const record: RunOff = {
    tierBytes,
    best: { config: best.config, label: best.label },
    ...(defaultConfig === undefined
      ? {}
      : { default: { config: defaultConfig.name, label: defaultConfig.label } }),
    rounds: [],
  };
  (data.runOffs ??= []).push(record);
  const opponents = defaultConfig === undefined ? [bestConfig] : [bestConfig, defaultConfig];
  const specs = runOffSpecs(planned, opponents, rounds, rounds + 1);
  say(
    `run-off: planned vs ${best.label}${defaultConfig === undefined ? "" : ` and the default (${defaultConfig.label})`}, ${rounds} alternated passes each`,
  );
  const sides = opponents.length + 1;
  let pending: Partial<RunOffRound> = {};
  for (const [i, spec] of specs.entries()) {
    if (interrupted()) return;
    say(instanceLine(spec, i + 1, specs.length));
    const { cells } = await runInstance({
      spec,
      launch: options.launchFor(spec),
      settings: { ...options.settings, loadScale: (options.settings.loadScale ?? 1) * RUN_OFF_LOAD_SCALE },
      interrupted,
      onStart: (instance) => (interruptTargets.instance = instance),
      onCell: (cell) => say(cellLine(cell)),
    });
    interruptTargets.instance = null;
    const side = { rps: cells[0]?.rps ?? null, passed: cells[0]?.passed ?? false };
    const kind = spec.config.kind;
    pending[kind === "planned" ? "planned" : kind === "default" ? "default" : "best"] = side;
    if (Object.keys(pending).length === sides) {
      record.rounds.push(pending as RunOffRound);
      pending = {};
      writeLabOutputs(options.outDir, data);
    }
  }
}
