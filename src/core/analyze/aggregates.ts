/**
 * Aggregates over a log's events: counts per kind and per death cause, each worker's lifetime, and
 * restarts (replacement boots) per minute. Bounded: lifetimes keep the newest few hundred pids.
 */
import type { GunicornEvent } from "../events/types.js";
import { msOf } from "../events/time.js";

export interface Lifetime {
  pid: number;
  bootedAt?: string;
  endedAt?: string;
  /** Seconds from boot to death, when both ends have a time. */
  seconds?: number;
  end?: string;
}

export interface Aggregates {
  /** Events per kind, over the whole input (even past the kept-events cap). */
  counts: Record<string, number>;
  /** `worker_signal` events per cause. */
  causes: Record<string, number>;
  lifetimes: Lifetime[];
  /** Boots per minute, by minute (`YYYY-MM-DDTHH:MM`); only minutes with boots. */
  bootsPerMinute: Record<string, number>;
  maxBootsPerMinute: number;
}

const MAX_LIFETIMES = 500;

export interface AggregateBuilder {
  count(event: GunicornEvent): void;
  observe(event: GunicornEvent): void;
  result(): Aggregates;
}

function seconds(from: string | undefined, to: string | undefined): number | undefined {
  const a = msOf(from);
  const b = msOf(to);
  return a === undefined || b === undefined ? undefined : (b - a) / 1000;
}

/** An incremental aggregate builder: `count` every event, `observe` the classified ones in order. */
export function createAggregates(): AggregateBuilder {
  const counts: Record<string, number> = {};
  const causes: Record<string, number> = {};
  const lifetimes = new Map<number, Lifetime>();
  const bootsPerMinute: Record<string, number> = {};
  let minutes = 0;

  function end(event: GunicornEvent, label: string): void {
    if (event.pid === undefined) return;
    const life = lifetimes.get(event.pid) ?? { pid: event.pid };
    if (life.end !== undefined) return;
    life.end = label;
    if (event.time !== undefined) life.endedAt = event.time;
    const s = seconds(life.bootedAt, life.endedAt);
    if (s !== undefined) life.seconds = s;
    remember(life);
  }

  function remember(life: Lifetime): void {
    lifetimes.delete(life.pid);
    if (lifetimes.size >= MAX_LIFETIMES) lifetimes.delete(lifetimes.keys().next().value ?? -1);
    lifetimes.set(life.pid, life);
  }

  return {
    count(event) {
      counts[event.kind] = (counts[event.kind] ?? 0) + 1;
    },
    observe(event) {
      if (event.kind === "worker_signal") causes[event.cause] = (causes[event.cause] ?? 0) + 1;
      if (event.kind === "worker_boot" && event.pid !== undefined) {
        remember({ pid: event.pid, ...(event.time === undefined ? {} : { bootedAt: event.time }) });
        const minute = event.time?.slice(0, 16);
        if (minute !== undefined && (minute in bootsPerMinute || minutes < 10_000)) {
          if (!(minute in bootsPerMinute)) minutes++;
          bootsPerMinute[minute] = (bootsPerMinute[minute] ?? 0) + 1;
        }
      }
      if (event.kind === "worker_exit") end(event, "exit");
      if (event.kind === "worker_exit_code") end(event, `code ${event.code}`);
      if (event.kind === "worker_signal") end(event, `${event.signal} (${event.cause})`);
    },
    result() {
      const values = Object.values(bootsPerMinute);
      return {
        counts,
        causes,
        lifetimes: [...lifetimes.values()],
        bootsPerMinute,
        maxBootsPerMinute: values.length === 0 ? 0 : Math.max(...values),
      };
    },
  };
}
