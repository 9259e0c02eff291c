#!/usr/bin/env node
/**
 * Renders a lab run's summary.md, matrix.csv and report.html again from its results.json, with this
 * checkout's renderers (after `npm run build`): for published results when the wording or a comparison
 * rule changed after the run. The measurements are the run's own; nothing is measured again.
 *
 *   node scripts/lab-render.mjs RESULTS_JSON OUT_DIR
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { writeRenderedOutputs } from "../dist/adapters/lab/outputs.js";

const [results, outDir] = process.argv.slice(2);
if (!results || !outDir) {
  process.stderr.write("usage: node scripts/lab-render.mjs RESULTS_JSON OUT_DIR\n");
  process.exit(2);
}
const data = JSON.parse(readFileSync(results, "utf8"));
// results.json keeps each cell's event count, not its events (the traces keep the timeline).
data.cells = data.cells.map((c) => ({ ...c, events: [] }));
writeRenderedOutputs(outDir, data);
process.stdout.write(`${join(outDir, "summary.md")}, matrix.csv, report.html\n`);
