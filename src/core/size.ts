import { GwardenError } from "./error.js";

/** Bytes in a MiB, for the arithmetic that reads better in MiB. */
export const MiB = 1024 * 1024;

const UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: MiB,
  mb: MiB,
  mib: MiB,
  g: 1024 * MiB,
  gb: 1024 * MiB,
  gib: 1024 * MiB,
  t: 1024 * 1024 * MiB,
  tb: 1024 * 1024 * MiB,
  tib: 1024 * 1024 * MiB,
};

/**
 * Parses a memory size the way container tools write it: `512M`, `1.5G`, `256MiB`, `1073741824`.
 * Units are binary (Docker's and Kubernetes' `M`/`Mi` both mean MiB here: a limit is a limit).
 * Kubernetes spellings `Mi`/`Gi` are accepted too.
 */
export function parseSize(text: string, what = "size"): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = match?.[2]?.toLowerCase().replace(/i$/, "ib") ?? "";
  const factor = match ? UNITS[unit === "ib" ? "" : unit] : undefined;
  if (!match || factor === undefined) {
    throw new GwardenError("E_SIZE", `Expected ${what} like 512M, 1G or 268435456, got \`${text}\``, {
      hint: "units: K, M, G, T (binary: 1M = 1 MiB), or plain bytes",
    });
  }
  const bytes = Math.round(Number(match[1]) * factor);
  if (!Number.isFinite(bytes) || bytes <= 0) {
    throw new GwardenError("E_SIZE", `Expected ${what} to be positive, got \`${text}\``);
  }
  return bytes;
}

/** `268435456` → `256 MiB`; one decimal below 10 of a unit. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return "unknown";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = Math.abs(bytes);
  let i = 0;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  const digits = value < 10 && i > 0 ? 1 : 0;
  return `${bytes < 0 ? "-" : ""}${value.toFixed(digits)} ${units[i]}`;
}
