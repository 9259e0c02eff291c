/**
 * The box statement of a `--sandbox vm` run, for summary.md and report.html: per tier the RAM the
 * guest's kernel left the box, its swap and the most of it used, and the vCPU's speed — the app's
 * import time in the guest against the host that started the lab (a starved VPS core is many times
 * slower than a developer's machine, and every boot budget scales with it).
 */
import { mibText } from "../plan/mib.js";
import { tierLabel } from "./matrix.js";
import type { LabBox } from "./types.js";

export const BOX_HEADER = [
  "Tier (VM RAM)",
  "MemTotal in the guest",
  "Swap",
  "Swap used (peak)",
  "vCPUs",
  "App import in the guest",
  "On the host",
  "vCPU slowdown",
  "Guest boot",
];

const seconds = (v: number | null) => (v === null ? "—" : `${v.toFixed(1)} s`);
const mib = (v: number | null) => (v === null ? "—" : mibText(v));

/** One row per tier. */
export function boxRows(box: LabBox): string[][] {
  return box.tiers.map((t) => [
    tierLabel(t.tierBytes),
    mib(t.memTotalBytes),
    box.swap === null
      ? "none"
      : `${mibText(box.swap.bytes)} (${box.swap.kind === "disk" ? "swap disk" : "zram"})`,
    box.swap === null ? "—" : mib(t.peakSwapUsedBytes),
    String(box.vcpus),
    seconds(t.importSeconds),
    seconds(box.hostImportSeconds),
    t.importSeconds !== null && box.hostImportSeconds !== null && box.hostImportSeconds > 0
      ? `${(t.importSeconds / box.hostImportSeconds).toFixed(1)}×`
      : "—",
    seconds(t.bootSeconds),
  ]);
}

/** The paragraph above the table. */
export function boxIntro(box: LabBox): string {
  const kernel = box.tiers.find((t) => t.kernel !== null)?.kernel;
  return `Each tier is a whole small VPS: a QEMU guest (software emulation, ${box.vcpus} vCPU${box.vcpus === 1 ? "" : "s"}, cgroup v2, ${kernel ? `Linux ${kernel}, ` : ""}no network device) whose RAM is the tier, so the kernel, the page cache, swap and the lab's own load generator share it with the app. Memory figures are the box's used memory (MemTotal − MemAvailable). The app's import time was measured by \`gwarden profile\` in each guest and on the host.`;
}
