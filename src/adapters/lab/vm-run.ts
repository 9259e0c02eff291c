/**
 * `gwarden lab --sandbox vm` from the command's side: the swap flags, the app's import time on this
 * host (a native profile, the yardstick for the guest's vCPU), then one guest per tier
 * (src/adapters/sandbox/vm-lab.ts).
 */
import { join } from "node:path";
import { GwardenError } from "../../core/error.js";
import type { LabRunData } from "../../core/lab/types.js";
import type { RequestSpec } from "../../core/profile/request-spec.js";
import { icountFor } from "../../core/sandbox/qemu-argv.js";
import { parseSize } from "../../core/size.js";
import type { VmSwap } from "../sandbox/vm.js";

export interface VmLabCommand {
  own: readonly string[];
  rest: readonly string[];
  tiers: number[];
  vcpus: number;
  swap: string | undefined;
  swapKind: string | undefined;
  /** --vcpu-mips, as typed. */
  vcpuMips: string | undefined;
  requests: RequestSpec[];
  env: Record<string, string>;
  cwd: string;
  outDir: string;
  data: LabRunData;
  say: (line: string) => void;
  interrupted: () => boolean;
}

function swapOf(size: string | undefined, kind: string | undefined): VmSwap | null {
  if (kind !== undefined && kind !== "disk" && kind !== "zram")
    throw new GwardenError("E_USAGE", `Expected --swap-kind disk or zram, got \`${kind}\``);
  if (size === undefined || size === "" || size === "0") return null;
  return { kind: kind ?? "disk", bytes: parseSize(size, "--swap") };
}

function icountOf(mips: string | undefined): { shift: number; mips: number } | null {
  if (mips === undefined) return null;
  const n = Number(mips);
  if (!(n > 0))
    throw new GwardenError("E_USAGE", `Expected --vcpu-mips to be a positive number, got \`${mips}\``);
  return icountFor(n);
}

export async function runVmLabCommand(c: VmLabCommand): Promise<void> {
  const swap = swapOf(c.swap, c.swapKind);
  const icount = icountOf(c.vcpuMips);
  const { vmMissing } = await import("../sandbox/vm.js");
  const missing = vmMissing();
  if (missing !== null) {
    throw new GwardenError("E_VM", `--sandbox vm cannot boot a guest here: ${missing}`, {
      hint: "apt-get install --no-install-recommends qemu-system-x86 linux-image-amd64 busybox-static",
    });
  }
  const { profileApp } = await import("./profile.js");
  let hostImportSeconds: number | null = null;
  try {
    c.say("gwarden lab: profiling the app on this host, the yardstick for the guests' vCPU");
    const host = await profileApp({
      out: join(c.outDir, "profile-host.json"),
      requests: c.requests,
      command: [...c.rest],
      env: { ...process.env, ...c.env },
      cwd: c.cwd,
    });
    hostImportSeconds = host.importSeconds;
  } catch (error) {
    c.data.notes.push(
      `The app's import time on the host is unknown (its profile failed: ${(error as Error).message}).`,
    );
  }
  c.data.notes.push(
    "Sandbox: every tier is a whole VPS (a QEMU guest); inside it the lab profiled the app, planned and ran every instance on the box itself, with the load generator on the same vCPU (as on a one-core VPS). Each guest's own outputs are in vm-<tier>/.",
  );
  if (icount !== null)
    c.data.notes.push(
      `The guests' vCPU ran at a fixed ${icount.mips} million instructions per second of their own clock (QEMU icount, shift ${icount.shift}): the same speed on any host, under any load.`,
    );
  const { runVmLab } = await import("./vm-lab.js");
  await runVmLab({
    tiers: c.tiers,
    vcpus: c.vcpus,
    icountShift: icount?.shift ?? null,
    swap,
    own: c.own,
    rest: c.rest,
    cwd: c.cwd,
    outDir: c.outDir,
    data: c.data,
    hostImportSeconds,
    say: c.say,
    interrupted: c.interrupted,
  });
}
