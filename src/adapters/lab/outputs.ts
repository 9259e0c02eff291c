/**
 * Writes the lab's outputs into --out: matrix.csv, summary.md, report.html and results.json (the raw
 * data, each cell's log cut to its last 300 lines, enough to render the summary again). Rewritten after every cell, each file atomically, so an interrupted run
 * keeps what it measured.
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GwardenError } from "../../core/error.js";
import { renderCsv } from "../../core/lab/csv.js";
import { renderReport, type ReportAssets } from "../../core/lab/report.js";
import { renderSummary } from "../../core/lab/summary.js";
import type { LabRunData } from "../../core/lab/types.js";
import { packageText } from "../platform/package-files.js";
import { mergeRepeats } from "../../core/lab/repeats.js";

let assets: ReportAssets | null = null;

/** uPlot's browser build and stylesheet, read once. */
export function reportAssets(): ReportAssets {
  if (assets === null) {
    assets = {
      uplotJs: packageText("uplot/uPlot.iife.min.js"),
      uplotCss: packageText("uplot/uPlot.min.css"),
    };
  }
  return assets;
}

function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** Writes every output file for the data so far; E_IO when the directory cannot be written. */
export function writeLabOutputs(outDir: string, data: LabRunData): void {
  writeRenderedOutputs(outDir, data, () => {
    const raw = {
      ...data,
      cells: data.cells.map((c) => ({ ...c, log: c.log.slice(-300), events: c.events.length })),
    };
    writeAtomic(join(outDir, "results.json"), `${JSON.stringify(raw, null, 1)}\n`);
  });
}

/**
 * Writes matrix.csv, summary.md and report.html (then `more`, if given); E_IO when the directory cannot be
 * written. Alone, it renders a finished run again from its results.json (scripts/lab-render.mjs).
 */
export function writeRenderedOutputs(outDir: string, raw: LabRunData, more?: () => void): void {
  // One row per (tier, config, scenario): the passes of --repeat merged (medians, sums, every rps kept).
  const data = { ...raw, cells: mergeRepeats(raw.cells) };
  try {
    mkdirSync(outDir, { recursive: true });
    writeAtomic(join(outDir, "matrix.csv"), renderCsv(data.cells));
    writeAtomic(join(outDir, "summary.md"), renderSummary(data));
    writeAtomic(join(outDir, "report.html"), renderReport(data, reportAssets()));
    more?.();
  } catch (error) {
    throw new GwardenError(
      "E_IO",
      `Cannot write the lab's outputs to ${outDir}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}
