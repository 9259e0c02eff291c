/**
 * `gwarden lab --sandbox vm`: every tier is a whole small VPS. For each tier one QEMU guest boots with
 * that much RAM (the kernel, page cache and swap inside it), the vCPUs and swap asked for, cgroup v2
 * and no network device; inside it the same lab runs with `--sandbox box` (the machine is the limit:
 * profile, plan and load all happen on the guest's slow core) and writes its results through a
 * writable share into <out>/vm-<tier>/. The host folds each tier into one matrix.csv, summary.md and
 * report.html, with the box statement: RAM, swap, and the vCPU's speed against the host.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { tierLabel } from "../../core/lab/matrix.js";
import type { LabRunData } from "../../core/lab/types.js";
import { foldTierRun, innerLabArgs } from "../../core/sandbox/vm-lab.js";
import { writeLabOutputs } from "./outputs.js";
import { runInVm, type VmSwap } from "../sandbox/vm.js";

const CLI = fileURLToPath(new URL("../../cli.js", import.meta.url));

/** The lab process in the guest is measurement apparatus: the OOM killer should pick the app, not it. */
const PROTECT = 'echo -900 > /proc/self/oom_score_adj; exec "$@"';

export interface VmLabOptions {
  tiers: number[];
  vcpus: number;
  /** A fixed-speed vCPU (QEMU icount), or null for emulation's own speed. */
  icountShift: number | null;
  swap: VmSwap | null;
  /** The user's lab flags before `--`, forwarded to every guest's lab. */
  own: readonly string[];
  /** The gunicorn command after `--`. */
  rest: readonly string[];
  cwd: string;
  outDir: string;
  data: LabRunData;
  hostImportSeconds: number | null;
  say: (line: string) => void;
  interrupted: () => boolean;
}

/** Runs one guest per tier, folding each into `data` and rewriting the outputs after each. */
export async function runVmLab(o: VmLabOptions): Promise<void> {
  o.data.box = { vcpus: o.vcpus, swap: o.swap, hostImportSeconds: o.hostImportSeconds, tiers: [] };
  writeLabOutputs(o.outDir, o.data);
  for (const tierBytes of o.tiers) {
    if (o.interrupted()) break;
    const tier = tierLabel(tierBytes);
    const innerOut = join(o.outDir, `vm-${tier}`);
    mkdirSync(innerOut, { recursive: true });
    o.say(
      `gwarden lab: booting a ${tier} VM (${o.vcpus} vCPU${o.vcpus === 1 ? "" : "s"}${o.icountShift === null ? "" : ` at ${1000 / 2 ** o.icountShift} MIPS`}, swap ${o.swap === null ? "none" : `${tierLabel(o.swap.bytes)} ${o.swap.kind}`})`,
    );
    let partial = "";
    const result = await runInVm({
      memoryBytes: tierBytes,
      vcpus: o.vcpus,
      ...(o.icountShift === null ? {} : { icountShift: o.icountShift }),
      swap: o.swap,
      argv: [
        "/bin/sh",
        "-c",
        PROTECT,
        "gwarden-lab",
        process.execPath,
        CLI,
        "lab",
        ...innerLabArgs(o.own, tier, innerOut),
        "--",
        ...o.rest,
      ],
      cwd: o.cwd,
      writable: [o.outDir],
      onStderr: (text) => {
        const lines = (partial + text).split("\n");
        partial = lines.pop() ?? "";
        for (const line of lines) o.say(`  [${tier} VM] ${line}`);
      },
    });
    const results = join(innerOut, "results.json");
    if (!existsSync(results)) {
      o.data.notes.push(
        `The ${tier} VM produced no results (exit ${result.exitCode ?? "none"}${result.timedOut ? ", timed out" : ""}): ${result.stderr.trim().split("\n").slice(-3).join(" / ")}`,
      );
      continue;
    }
    const inner = JSON.parse(readFileSync(results, "utf8")) as LabRunData;
    foldTierRun(o.data, inner, result.guest);
    if (result.exitCode !== 0)
      o.data.notes.push(
        `The ${tier} VM's lab exited with ${result.exitCode ?? "no status"}${inner.complete ? "" : " before its matrix was complete"}.`,
      );
    writeLabOutputs(o.outDir, o.data);
  }
}
