/**
 * Parser for /proc/meminfo: the host figures (kB in the file, bytes here). MemAvailable is approximated
 * by MemFree + Buffers + Cached on kernels older than 3.14 (cgroups.md §7).
 */
import { parseKeyValues } from "./key-values.js";

export interface MemInfo {
  totalBytes: number | null;
  availableBytes: number | null;
  /** True when availableBytes is the MemFree + Buffers + Cached estimate. */
  availableEstimated: boolean;
  swapTotalBytes: number | null;
  swapFreeBytes: number | null;
}

/** Parses /proc/meminfo text; absent keys give null. */
export function parseMemInfo(text: string): MemInfo {
  const kv = parseKeyValues(text);
  const bytes = (key: string): number | null => {
    const kb = kv.get(key);
    return kb === undefined || kb < 0 ? null : kb * 1024;
  };
  let availableBytes = bytes("MemAvailable");
  let availableEstimated = false;
  if (availableBytes === null) {
    const free = bytes("MemFree");
    if (free !== null) {
      availableBytes = free + (bytes("Buffers") ?? 0) + (bytes("Cached") ?? 0);
      availableEstimated = true;
    }
  }
  return {
    totalBytes: bytes("MemTotal"),
    availableBytes,
    availableEstimated,
    swapTotalBytes: bytes("SwapTotal"),
    swapFreeBytes: bytes("SwapFree"),
  };
}
