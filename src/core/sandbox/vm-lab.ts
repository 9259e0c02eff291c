/**
 * The pure parts of `gwarden lab --sandbox vm`: the inner lab's arguments for one tier's guest (the
 * user's own flags, less the ones the host decides), and folding that guest's results into the run's.
 */
import type { BoxTier, LabRunData } from "../lab/types.js";
import type { GuestFacts } from "./guest-report.js";

/** Flags the host decides for each guest (each takes a value). */
const HOST_FLAGS = ["--sandbox", "--tiers", "--out", "--swap", "--swap-kind", "--cpus", "--vcpu-mips"];

/** The user's lab flags (before `--`) without the host's, then the guest's own. */
export function innerLabArgs(own: readonly string[], tier: string, outDir: string): string[] {
  const kept: string[] = [];
  for (let i = 0; i < own.length; i++) {
    const word = own[i]!;
    const flag = word.includes("=") ? word.slice(0, word.indexOf("=")) : word;
    if (HOST_FLAGS.includes(flag)) {
      if (!word.includes("=")) i++;
      continue;
    }
    kept.push(word);
  }
  return [...kept, "--sandbox", "box", "--tiers", tier, "--out", outDir];
}

/** Adds one guest's lab run (one tier) to the host's: its instances, cells, traces, notes and box facts. */
export function foldTierRun(data: LabRunData, inner: LabRunData, guest: GuestFacts): void {
  data.instances.push(...inner.instances);
  // results.json keeps each cell's event count, not its events (the traces keep the timeline).
  data.cells.push(...inner.cells.map((c) => ({ ...c, events: [] })));
  data.traces.push(...inner.traces);
  for (const note of inner.notes) if (!data.notes.includes(note)) data.notes.push(note);
  data.sizes ??= inner.sizes;
  data.gunicornVersion ??= inner.gunicornVersion;
  const measured: BoxTier | undefined = inner.box?.tiers[0];
  const tierBytes = measured?.tierBytes ?? inner.instances[0]?.tierBytes;
  if (data.box && tierBytes !== undefined) {
    data.box.tiers.push({
      tierBytes,
      memTotalBytes: guest.memTotalBytes ?? measured?.memTotalBytes ?? null,
      swapTotalBytes: guest.swapTotalBytes ?? measured?.swapTotalBytes ?? null,
      importSeconds: measured?.importSeconds ?? null,
      peakSwapUsedBytes: measured?.peakSwapUsedBytes ?? null,
      bootSeconds: guest.bootSeconds,
      kernel: guest.kernel,
    });
  }
}
