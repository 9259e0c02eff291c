/**
 * What the gunicorn master's kernel-event watcher (src/python/gwarden_runtime/kernel_events.py) listens
 * for, as the environment it reads. Node cannot wait on an eventfd or a PSI trigger; the master's Python
 * can, and writes one record on the hook channel the moment the kernel says something — the loop then
 * samples at once instead of at its next tick. cgroup v1: usage thresholds at the pressure levels of
 * adaptive control, and OOM notifications. cgroup v2: a PSI trigger (tasks stalled on memory for 100 ms
 * within any second) and memory.events changes; and, where gwarden owns the group, memory.high a margin
 * below memory.max, so growth is throttled and reclaimed before anything is killed.
 */
import type { PressureConfig } from "../adaptive/types.js";

export interface KernelEventSettings {
  /** The memory controller's version in the master's group, null without a cgroup. */
  version: "v1" | "v2" | null;
  /** The group's limit, null when unlimited (nothing to watch then). */
  limitBytes: number | null;
  /** gwarden is alone in its group and may write memory.high (a container's entrypoint, a service). */
  owned: boolean;
  pressure: PressureConfig;
}

/** The PSI trigger: 100 ms of stall within any 1 s window (adaptive control's elevated 10 %). */
export const PSI_TRIGGER = "some 100000 1000000";
const MiB = 1048576;

/** memory.high for a group limited to `limitBytes`: 3 % below, at least 8 MiB below. */
export function memoryHigh(limitBytes: number): number {
  return limitBytes - Math.max(Math.round(limitBytes * 0.03), 8 * MiB);
}

/** The watcher's environment; empty when there is no limit to watch. */
export function kernelEventEnv(settings: KernelEventSettings): Record<string, string> {
  const { version, limitBytes, pressure } = settings;
  if (version === null || limitBytes === null) return {};
  if (version === "v1") {
    const levels = [pressure.elevatedRatio, pressure.highRatio, pressure.criticalRatio];
    return {
      GWARDEN_MEMORY_THRESHOLDS: levels.map((ratio) => Math.round(ratio * limitBytes)).join(","),
      GWARDEN_MEMORY_EVENTS: "1",
    };
  }
  return {
    GWARDEN_MEMORY_PSI: PSI_TRIGGER,
    GWARDEN_MEMORY_EVENTS: "1",
    ...(settings.owned ? { GWARDEN_MEMORY_HIGH: String(memoryHigh(limitBytes)) } : {}),
  };
}
