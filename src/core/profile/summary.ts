/** The human summary `profile` prints (without --json). */
import { formatBytes } from "../size.js";
import type { Profile } from "./types.js";
import type { ProcessMemory } from "../proc/smaps-rollup.js";

function memory(m: ProcessMemory | null): string {
  if (!m) return "unknown";
  const swap = m.swap > 0 ? `  swap ${formatBytes(m.swap)}` : "";
  return `RSS ${formatBytes(m.rss)}  PSS ${formatBytes(m.pss)}  USS ${formatBytes(m.uss)}${swap}`;
}

function seconds(value: number | null): string {
  return value === null ? "unknown" : `${value.toFixed(2)} s`;
}

/** Renders a profile as a few aligned lines; `path` is where it was written, if it was. */
export function renderProfileSummary(profile: Profile, path: string | null): string {
  const { gunicorn, preload } = profile;
  const single = profile.runs.find((r) => r.mode === "single");
  const urls = (single?.urls ?? []).map(
    (u) => `${u.path} ${u.status ?? "-"}${u.ms === null ? "" : ` (${Math.round(u.ms)} ms)`}`,
  );
  const lines = [
    `Profile of ${profile.app.spec} in ${profile.app.chdir ?? "."} (gunicorn ${gunicorn.version}, ${gunicorn.workerClass}, ${gunicorn.python})`,
    `  import time      ${seconds(profile.importSeconds)} per worker`,
    `  master           ${memory(profile.master)}`,
    `  worker           ${memory(profile.worker)}   ← USS is the cost of each extra worker`,
    `  warm-up URLs     ${urls.join(", ") || "none"}`,
    `  preload          ${preload.safe ? "safe" : "NOT safe"}: ${preload.reason}`,
  ];
  if (preload.masterImportSeconds !== null)
    lines.push(`    master import  ${seconds(preload.masterImportSeconds)}`);
  if (preload.master) lines.push(`    master         ${memory(preload.master)}`);
  if (preload.workerPrivateBytes !== null) {
    const shared = profile.runs.find((r) => r.mode === "preload-shared");
    lines.push(
      `    worker private ${formatBytes(preload.workerPrivateBytes)} each (${shared?.workers ?? "?"} workers, --preload + gc.freeze())`,
    );
  }
  const spike = preload.exitSpike;
  if (spike)
    lines.push(
      `    exit spike     ${formatBytes(spike.bytes)} when one worker is retired (${spike.method === "cgroup" ? "memory cgroup high-water mark" : "PSS sum, sampled"})`,
    );
  const cpu = profile.cpu;
  if (cpu) {
    lines.push(`  CPU share        ${cpu.share} of a busy worker's time (the rest is waiting: I/O, locks)`);
    for (const t of cpu.single)
      lines.push(
        `    ${t.request.padEnd(14)} ${t.cpuMs} ms CPU + ${t.blockedMs} ms blocked per request (${t.runqueueMs} ms waiting for a CPU left out)`,
      );
  }
  if (path !== null) lines.push(`Written to ${path}`);
  return lines.join("\n") + "\n";
}
