/**
 * A minimal writer of the Prometheus text exposition format 0.0.4: `# HELP`, `# TYPE`, then one
 * `name{label="value"} number` line per sample. Escaping follows the format: in label values `\`, `"`
 * and newline; in HELP text `\` and newline. No timestamps (Prometheus stamps at scrape time).
 */

export type MetricType = "gauge" | "counter";

export interface MetricSample {
  labels?: Readonly<Record<string, string>>;
  /** null/undefined values are skipped (the figure is unknown). */
  value: number | null | undefined;
}

export interface MetricFamily {
  name: string;
  help: string;
  type: MetricType;
  samples: readonly MetricSample[];
}

export const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Renders families to exposition text; a family whose samples are all unknown is left out entirely. */
export function exposition(families: readonly MetricFamily[]): string {
  let out = "";
  for (const family of families) {
    if (!NAME.test(family.name)) throw new RangeError(`bad metric name ${family.name}`);
    let lines = "";
    for (const sample of family.samples) {
      if (sample.value === null || sample.value === undefined) continue;
      lines += `${family.name}${formatLabels(sample.labels)} ${formatValue(sample.value)}\n`;
    }
    if (lines === "") continue;
    out += `# HELP ${family.name} ${escapeHelp(family.help)}\n# TYPE ${family.name} ${family.type}\n${lines}`;
  }
  return out;
}

/** `{a="1",b="x\"y"}`, or "" without labels. */
export function formatLabels(labels: Readonly<Record<string, string>> | undefined): string {
  if (!labels) return "";
  const parts: string[] = [];
  for (const [key, value] of Object.entries(labels)) {
    if (!LABEL.test(key) || key.startsWith("__")) throw new RangeError(`bad label name ${key}`);
    parts.push(`${key}="${escapeLabelValue(value)}"`);
  }
  return parts.length === 0 ? "" : `{${parts.join(",")}}`;
}

/** Escapes `\`, `"` and newline in a label value. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** Escapes `\` and newline in HELP text. */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/** Go-style float text: `NaN`, `+Inf`, `-Inf`, else the shortest round-tripping decimal. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}
