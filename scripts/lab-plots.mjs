#!/usr/bin/env node
/**
 * PNGs of a lab run's report.html for the docs: the requests/s and p99 charts per tier, and the memory
 * chart of chosen instances. Renders the self-contained report in Debian's Chromium (playwright-core).
 *
 *   node scripts/lab-plots.mjs OUT_DIR DEST_DIR [TIER:CONFIG ...]     e.g. 256M:default 256M:planned
 */
/* global document -- page.evaluate runs in the browser */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const [outDir, destDir, ...instances] = process.argv.slice(2);
if (!outDir || !destDir) {
  process.stderr.write("usage: node scripts/lab-plots.mjs OUT_DIR DEST_DIR [TIER:CONFIG ...]\n");
  process.exit(2);
}
mkdirSync(destDir, { recursive: true });
const profile = mkdtempSync(join(tmpdir(), "gwarden-plots-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  viewport: { width: 960, height: 800 },
  args: ["--no-sandbox"],
});
try {
  const page = await context.newPage();
  await page.goto(pathToFileURL(resolve(outDir, "report.html")).href);
  await page.waitForSelector("#chart-rps .uplot");
  const shots = [
    ["#chart-rps", "rps-per-tier.png"],
    ["#chart-p99", "p99-per-tier.png"],
  ];
  const traces = await page.evaluate(() =>
    JSON.parse(document.getElementById("lab-data").textContent).traces.map((t) => t.title),
  );
  for (const wanted of instances) {
    const [tier, config] = wanted.split(":");
    const index = traces.findIndex((title) => title.startsWith(`${tier} · ${config} (`));
    if (index === -1) throw new Error(`no instance ${wanted} in ${outDir}/report.html`);
    shots.push([`#mem-${index}`, `memory-${tier}-${config}.png`]);
  }
  for (const [selector, file] of shots) {
    await page.locator(selector).scrollIntoViewIfNeeded();
    await page.locator(selector).screenshot({ path: join(destDir, file) });
    process.stdout.write(`${join(destDir, file)}\n`);
  }
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
