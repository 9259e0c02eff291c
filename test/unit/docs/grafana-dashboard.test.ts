/**
 * docs/grafana/gwarden-dashboard.json against the real `/metrics`: the file is a valid Grafana
 * dashboard, and every metric (and every label a selector matches on) its PromQL queries exists in
 * `renderMetrics` of a full snapshot, so a renamed metric breaks this test instead of a user's panel.
 * The Prometheus alert rules in docs/prometheus are held to the same check.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderMetrics } from "../../../src/core/metrics/render.js";
import { repoRoot } from "../../helpers/gunicorns.js";
import { snapshot } from "../core/snapshot/example-snapshot.js";

interface ParsedFamily {
  name: string;
  metrics: { labels?: Record<string, string> }[];
}
interface Target {
  refId: string;
  expr: string;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: Target[];
}
interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: Array<{ name: string; type: string; definition?: string }> };
}

const parsePrometheus = createRequire(import.meta.url)("parse-prometheus-text-format") as (
  text: string,
) => ParsedFamily[];
const dashboard = JSON.parse(
  readFileSync(join(repoRoot, "docs", "grafana", "gwarden-dashboard.json"), "utf8"),
) as Dashboard;
/** A snapshot with every figure known (unknown ones are left out of /metrics). */
const full = snapshot({ cgroup: { ...snapshot().cgroup!, swapUsageBytes: 0 } });
const exposed = new Map(
  parsePrometheus(renderMetrics(full)).map((f) => [
    f.name,
    new Set(f.metrics.flatMap((m) => Object.keys(m.labels ?? {}))),
  ]),
);

/** Every PromQL expression of the dashboard: panel targets and variable queries. */
function expressions(): string[] {
  const fromPanels = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
  const fromVariables = dashboard.templating.list.flatMap((v) => (v.definition ? [v.definition] : []));
  return [...fromPanels, ...fromVariables];
}

/** `name{a="x", b=~"y"}` selectors in an expression: the metric and the labels matched on. */
function selectors(expr: string): Array<{ metric: string; labels: string[] }> {
  const out: Array<{ metric: string; labels: string[] }> = [];
  for (const m of expr.matchAll(/\b(gwarden_[a-z0-9_]+)\b(\{([^}]*)\})?/g)) {
    const labels = [...(m[3] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)/g)].map((l) => l[1]!);
    out.push({ metric: m[1]!, labels });
  }
  return out;
}

describe("the Prometheus alert rules", () => {
  it("query only metrics and labels that /metrics exposes", () => {
    const text = readFileSync(join(repoRoot, "docs", "prometheus", "gwarden-alerts.yml"), "utf8");
    const used = [...text.matchAll(/^\s*expr: (.+)$/gm)].flatMap((m) => selectors(m[1]!));
    expect(used.length).toBeGreaterThan(6);
    expect(
      used
        .filter((s) => !exposed.has(s.metric) || s.labels.some((l) => !exposed.get(s.metric)!.has(l)))
        .map((s) => s.metric),
    ).toEqual([]);
  });
});

describe("the Grafana dashboard", () => {
  it("is a Grafana dashboard: uid, title, unique panel ids, a place on the grid, a query per panel", () => {
    expect(dashboard.uid).toMatch(/^[\w-]{1,40}$/);
    expect(dashboard.title).toContain("gwarden");
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of dashboard.panels) {
      expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
      if (p.type !== "row") expect(p.targets?.length, p.title).toBeGreaterThan(0);
    }
    expect(dashboard.templating.list.map((v) => v.name)).toEqual(["datasource", "instance"]);
  });

  it("has the panels the issue asks for", () => {
    const titles = dashboard.panels.map((p) => p.title.toLowerCase()).join(" | ");
    for (const want of [
      "workers by state",
      "worker memory per pid against the limit",
      "events by kind",
      "pressure",
      "backlog",
      "oom kills",
      "supervisor memory",
    ])
      expect(titles).toContain(want);
  });

  it("queries only metrics and labels that /metrics exposes", () => {
    const used = expressions().flatMap(selectors);
    expect(used.length).toBeGreaterThan(20);
    const missing = used.filter((s) => !exposed.has(s.metric)).map((s) => s.metric);
    expect(missing).toEqual([]);
    const badLabels = used.flatMap((s) =>
      s.labels
        .filter((l) => l !== "instance" && l !== "job" && !exposed.get(s.metric)!.has(l))
        .map((l) => `${s.metric}{${l}}`),
    );
    expect(badLabels).toEqual([]);
  });

  it("covers each family of the snapshot's vocabulary the views need", () => {
    const used = new Set(
      expressions()
        .flatMap(selectors)
        .map((s) => s.metric),
    );
    for (const name of [
      "gwarden_workers",
      "gwarden_worker_pss_bytes",
      "gwarden_memory_limit_bytes",
      "gwarden_events_total",
      "gwarden_memory_pressure_ratio",
      "gwarden_listen_backlog_requests",
      "gwarden_oom_kills_total",
      "gwarden_supervisor_anon_bytes",
    ]) {
      expect(used.has(name), name).toBe(true);
    }
  });
});
