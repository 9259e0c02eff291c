/**
 * `/proc/<pid>/status`: `Key:\tvalue` lines; memory figures in kB. Reading it is cheap (no page-table
 * walk, unlike smaps_rollup), so it is the fallback when smaps_rollup is unreadable.
 */

export interface ProcStatus {
  name: string | null;
  /** The state letter (`S` of `S (sleeping)`). */
  state: string | null;
  pid: number | null;
  ppid: number | null;
  threads: number | null;
  vmRssBytes: number | null;
  vmHwmBytes: number | null;
  rssAnonBytes: number | null;
  rssFileBytes: number | null;
  rssShmemBytes: number | null;
  vmSwapBytes: number | null;
  /** `0-1,4` as written by the kernel (the cgroup code counts it). */
  cpusAllowedList: string | null;
}

/** Parses `/proc/<pid>/status`; unknown or malformed lines are ignored, missing fields are null. */
export function parseProcStatus(text: string): ProcStatus {
  const fields = new Map<string, string>();
  for (const line of text.split("\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  return {
    name: fields.get("Name") ?? null,
    state: /^[A-Za-z]/.exec(fields.get("State") ?? "")?.[0] ?? null,
    pid: int(fields.get("Pid")),
    ppid: int(fields.get("PPid")),
    threads: int(fields.get("Threads")),
    vmRssBytes: kb(fields.get("VmRSS")),
    vmHwmBytes: kb(fields.get("VmHWM")),
    rssAnonBytes: kb(fields.get("RssAnon")),
    rssFileBytes: kb(fields.get("RssFile")),
    rssShmemBytes: kb(fields.get("RssShmem")),
    vmSwapBytes: kb(fields.get("VmSwap")),
    cpusAllowedList: fields.get("Cpus_allowed_list") ?? null,
  };
}

function int(value: string | undefined): number | null {
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : null;
}

function kb(value: string | undefined): number | null {
  const m = value === undefined ? null : /^(\d+)\s*kB$/.exec(value);
  return m ? Number(m[1]) * 1024 : null;
}
