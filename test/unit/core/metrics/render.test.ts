import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { renderMetrics } from "../../../../src/core/metrics/render.js";
import { EVENT_KINDS } from "../../../../src/core/metrics/event-kinds.js";
import { snapshot } from "../snapshot/example-snapshot.js";

interface ParsedFamily {
  name: string;
  type: string;
  metrics: { value: string; labels?: Record<string, string> }[];
}
const parsePrometheus = createRequire(import.meta.url)("parse-prometheus-text-format") as (
  text: string,
) => ParsedFamily[];
const MiB = 1024 * 1024;

function families(text: string): Map<string, ParsedFamily> {
  return new Map(parsePrometheus(text).map((f) => [f.name, f]));
}

function value(
  f: Map<string, ParsedFamily>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const metric = f
    .get(name)
    ?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return metric === undefined ? undefined : Number(metric.value);
}

describe("renderMetrics", () => {
  const f = families(renderMetrics(snapshot()));

  it("uses the gwarden_ prefix and conventional suffixes", () => {
    for (const [name, family] of f) {
      expect(name).toMatch(/^gwarden_/);
      if (family.type === "counter") expect(name).toMatch(/_total$/);
      if (name.includes("memory") || name.endsWith("_bytes"))
        expect(name).toMatch(/_(bytes|ratio|seconds_total|kills_total)$/);
    }
  });

  it("carries worker counts by state and per-worker memory and CPU", () => {
    expect(value(f, "gwarden_workers", { state: "ready" })).toBe(1);
    expect(value(f, "gwarden_workers", { state: "busy" })).toBe(1);
    expect(value(f, "gwarden_workers", { state: "booting" })).toBe(0);
    expect(value(f, "gwarden_workers", { state: "exiting" })).toBe(0);
    expect(value(f, "gwarden_worker_rss_bytes", { pid: "101" })).toBe(40 * MiB);
    expect(value(f, "gwarden_worker_pss_bytes", { pid: "102" })).toBe(22 * MiB);
    expect(value(f, "gwarden_worker_uss_bytes", { pid: "101" })).toBe(18 * MiB);
    expect(value(f, "gwarden_worker_swap_bytes", { pid: "101" })).toBe(0);
    expect(value(f, "gwarden_worker_cpu_seconds_total", { pid: "101" })).toBe(1.25);
    expect(value(f, "gwarden_worker_requests_total", { pid: "102" })).toBe(12);
    expect(value(f, "gwarden_master_rss_bytes")).toBe(30 * MiB);
    expect(value(f, "gwarden_master_up")).toBe(1);
    expect(value(f, "gwarden_up")).toBe(1);
  });

  it("counts events by kind, every kind present", () => {
    expect(f.get("gwarden_events_total")!.metrics).toHaveLength(EVENT_KINDS.length);
    expect(value(f, "gwarden_events_total", { kind: "worker_boot" })).toBe(2);
    expect(value(f, "gwarden_events_total", { kind: "worker_timeout" })).toBe(0);
  });

  it("carries the cgroup limit, usage, pressure as a ratio and OOM kills", () => {
    expect(value(f, "gwarden_memory_limit_bytes")).toBe(512 * MiB);
    expect(value(f, "gwarden_memory_usage_bytes")).toBe(200 * MiB);
    expect(value(f, "gwarden_memory_working_set_bytes")).toBe(150 * MiB);
    expect(value(f, "gwarden_memory_pressure_ratio", { kind: "some", window: "10" })).toBe(0.015);
    expect(value(f, "gwarden_memory_pressure_ratio", { kind: "full", window: "300" })).toBe(0);
    expect(value(f, "gwarden_memory_pressure_stall_seconds_total", { kind: "some" })).toBe(2.5);
    expect(value(f, "gwarden_oom_kills_total")).toBe(1);
    expect(f.has("gwarden_swap_usage_bytes")).toBe(false);
  });

  it("carries the backlog, plan values and the supervisor's own cost", () => {
    expect(value(f, "gwarden_listen_backlog_requests")).toBe(3);
    expect(value(f, "gwarden_listen_backlog_max")).toBe(64);
    expect(value(f, "gwarden_plan_workers")).toBe(3);
    expect(value(f, "gwarden_plan_timeout_seconds")).toBe(30);
    expect(value(f, "gwarden_plan_recycle_bytes")).toBe(120 * MiB);
    expect(value(f, "gwarden_supervisor_rss_bytes")).toBe(45 * MiB);
    expect(value(f, "gwarden_supervisor_anon_bytes")).toBe(15 * MiB);
    expect(value(f, "gwarden_supervisor_cpu_seconds_total")).toBe(0.75);
    expect(value(f, "gwarden_sample_duration_seconds")).toBe(0.0015);
  });

  it("leaves unknown figures out and says the master is down", () => {
    const bare = families(
      renderMetrics(
        snapshot({
          master: {
            state: "down",
            pid: null,
            startedAt: null,
            reason: "x",
            exitCode: null,
            memory: { rss: null, pss: null, uss: null, swap: null, anon: null },
            cpuSeconds: null,
            cpuPercent: null,
          },
          workers: [],
          cgroup: null,
          backlog: null,
          plan: null,
        }),
      ),
    );
    expect(value(bare, "gwarden_master_up")).toBe(0);
    expect(value(bare, "gwarden_workers", { state: "ready" })).toBe(0);
    for (const gone of [
      "gwarden_memory_limit_bytes",
      "gwarden_plan_workers",
      "gwarden_worker_rss_bytes",
      "gwarden_listen_backlog_requests",
      "gwarden_master_pid",
    ])
      expect(bare.has(gone), gone).toBe(false);
  });
});
