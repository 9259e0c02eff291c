/**
 * What the guest's init writes into the share about the box it booted (guest.env: key=value lines) and
 * how the job ended (exit), parsed for the host. A missing or garbled figure is null, never a throw.
 */

export interface GuestFacts {
  kernel: string | null;
  cpus: number | null;
  memTotalBytes: number | null;
  swapTotalBytes: number | null;
  /** cgroup v2 controllers the root hands to child groups. */
  controllers: string[];
  /** Seconds from the kernel's start to the job's start (the boot). */
  bootSeconds: number | null;
  /** Seconds the job ran, by the guest's clock. */
  jobSeconds: number | null;
}

function num(value: string | undefined): number | null {
  if (value === undefined || value.trim() === "") return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/** Parses guest.env. */
export function parseGuestFacts(text: string): GuestFacts {
  const kv = new Map<string, string>();
  for (const line of text.split("\n")) {
    const at = line.indexOf("=");
    if (at > 0) kv.set(line.slice(0, at).trim(), line.slice(at + 1).trim());
  }
  const kb = (key: string) => {
    const v = num(kv.get(key));
    return v === null ? null : v * 1024;
  };
  const start = num(kv.get("uptime_at_job"));
  const end = num(kv.get("uptime_at_end"));
  return {
    kernel: kv.get("kernel") || null,
    cpus: num(kv.get("cpus")),
    memTotalBytes: kb("MemTotal"),
    swapTotalBytes: kb("SwapTotal"),
    controllers: (kv.get("controllers") ?? "").split(/\s+/).filter((c) => c !== ""),
    bootSeconds: start,
    jobSeconds: start !== null && end !== null ? Math.round((end - start) * 100) / 100 : null,
  };
}

/** The job's exit status from the `exit` file, or null when the job never finished. */
export function parseExitCode(text: string | null): number | null {
  if (text === null) return null;
  const n = Number(text.trim());
  return text.trim() !== "" && Number.isInteger(n) ? n : null;
}
