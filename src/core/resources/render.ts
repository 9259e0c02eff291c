/**
 * The human report of `gwarden detect`: every figure with where it came from (the cgroup file, the host,
 * or why it is unknown), and the warnings, host fallbacks first. Pure: Resources in, text out.
 */
import type { Provenance, Resources } from "./types.js";
import { formatBytes } from "../size.js";
import type { Pressure } from "../cgroup/psi.js";

function origin(p: Provenance | undefined): string {
  if (!p) return "";
  const where = [p.source, p.path, p.reason ? `(${p.reason})` : undefined].filter(
    (part) => part !== undefined && part !== "",
  );
  return where.join(" ");
}

function bytes(value: number | null, noneText: string): string {
  return value === null ? noneText : formatBytes(value);
}

function cpus(value: number): string {
  return `${Number(value.toFixed(3))} CPU${value === 1 ? "" : "s"}`;
}

function pressure(p: Pressure | null): string {
  if (!p) return "unavailable";
  const line = (s: Pressure["some"]): string => `${s.avg10}/${s.avg60}/${s.avg300}%`;
  return `some ${line(p.some)}${p.full ? `, full ${line(p.full)}` : ""} (avg10/60/300)`;
}

function count(value: number | null): string {
  return value === null ? "unknown" : String(value);
}

/** Renders the human report of detect. */
export function renderResources(r: Resources): string {
  const s = r.sources;
  const unknownOr = (key: string, text: string): string => (s[key]?.source === "unknown" ? "unknown" : text);
  const rows: [string, string, string][] = [
    [
      "memory limit",
      unknownOr("memory.limitBytes", bytes(r.memory.limitBytes, "none")),
      origin(s["memory.limitBytes"]),
    ],
    [
      "memory.high",
      bytes(r.memory.highBytes, "none"),
      r.memory.highBytes === null ? "" : origin(s["memory.highBytes"]),
    ],
    ["usage", bytes(r.memory.usageBytes, "unknown"), origin(s["memory.usageBytes"])],
    ["working set", bytes(r.memory.workingSetBytes, "unknown"), origin(s["memory.workingSetBytes"])],
    ["available", bytes(r.memory.availableBytes, "unknown"), origin(s["memory.availableBytes"])],
    ["peak", bytes(r.memory.peakBytes, "unknown"), origin(s["memory.peakBytes"])],
    [
      "host memory",
      `${bytes(r.memory.hostTotalBytes, "unknown")} total, ${bytes(r.memory.hostAvailableBytes, "unknown")} available`,
      origin(s["memory.hostTotalBytes"]),
    ],
    ["swap limit", bytes(r.swap.limitBytes, "unknown"), origin(s["swap.limitBytes"])],
    ["swap used", bytes(r.swap.usageBytes, "unknown"), origin(s["swap.usageBytes"])],
    [
      "host swap",
      `${bytes(r.swap.hostTotalBytes, "unknown")} total, ${bytes(r.swap.hostFreeBytes, "unknown")} free`,
      origin(s["swap.hostTotalBytes"]),
    ],
    [
      "cpu quota",
      unknownOr("cpu.quota", r.cpu.quota === null ? "none" : cpus(r.cpu.quota)),
      origin(s["cpu.quota"]),
    ],
    ["cpu affinity", cpus(r.cpu.affinity), origin(s["cpu.affinity"])],
    [
      "cpus to size for",
      `${cpus(r.cpu.effective)} (floor ${r.cpu.effectiveFloor}, ceil ${r.cpu.effectiveCeil})`,
      "min(affinity, quota)",
    ],
    ["memory pressure", pressure(r.pressure.memory), origin(s["pressure.memory"])],
    ["cpu pressure", pressure(r.pressure.cpu), origin(s["pressure.cpu"])],
    ["io pressure", pressure(r.pressure.io), origin(s["pressure.io"])],
    ["oom kills", count(r.oom.kills), origin(s["oom.kills"])],
  ];
  if (r.cgroup.memoryController === "v2")
    rows.push([
      "oom / max / high",
      `${count(r.oom.ooms)} / ${count(r.oom.maxEvents)} / ${count(r.oom.highEvents)}`,
      origin(s["oom.ooms"]),
    ]);
  if (r.cgroup.memoryController === "v1")
    rows.push([
      "failcnt, under_oom",
      `${count(r.oom.failcnt)}, ${r.oom.underOom === null ? "unknown" : String(r.oom.underOom)}`,
      origin(s["oom.failcnt"]),
    ]);
  const width = Math.max(...rows.map(([label]) => label.length));
  const valueWidth = Math.max(...rows.map(([, value]) => value.length));
  const lines = [
    `cgroup ${r.cgroup.version} (host layout: ${r.cgroup.layout}; memory on ${r.cgroup.memoryController ?? "none"}, cpu on ${r.cgroup.cpuController ?? "none"})`,
    `  memory group  ${r.cgroup.memoryDir ?? "not resolved"}`,
    `  cpu group     ${r.cgroup.cpuDir ?? "not resolved"}`,
    ...(r.cgroup.limitsUnresolved ? [`  limits        unknown: ${r.cgroup.limitsUnresolved}`] : []),
    "",
    ...rows.map(([label, value, from]) =>
      `${label.padEnd(width)}  ${value.padEnd(valueWidth)}  ${from}`.trimEnd(),
    ),
  ];
  if (r.warnings.length > 0) lines.push("", "warnings:", ...r.warnings.map((w) => `  ! ${w}`));
  return `${lines.join("\n")}\n`;
}
