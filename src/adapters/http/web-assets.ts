/**
 * The dashboard's files, read the first time each is asked for and kept (the daemon loads none of them
 * until someone opens `/`). Where they come from — the package on disk or the single file's assets —
 * is platform/package-files.ts's business. Only the names listed here are served.
 */
import type { WebAsset } from "../../core/serve/routes.js";
import { packageText, type PackageFile } from "../platform/package-files.js";

const TYPES = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
} as const;

/** Served name → which file it is and what it is. */
const FILES: Record<string, { file: PackageFile; type: string }> = {
  "index.html": { file: "web/index.html", type: TYPES.html },
  "dashboard.js": { file: "web/dashboard.js", type: TYPES.js },
  "dashboard.css": { file: "web/dashboard.css", type: TYPES.css },
  "dashboard-charts.js": { file: "web/dashboard-charts.js", type: TYPES.js },
  "favicon.svg": { file: "web/favicon.svg", type: TYPES.svg },
  "uPlot.iife.min.js": { file: "uplot/uPlot.iife.min.js", type: TYPES.js },
  "uPlot.min.css": { file: "uplot/uPlot.min.css", type: TYPES.css },
};

const cache = new Map<string, WebAsset | null>();

/** The dashboard file `name`, or null when it is not one of ours (or cannot be read). */
export function webAsset(name: string): WebAsset | null {
  if (!Object.hasOwn(FILES, name)) return null;
  const known = cache.get(name);
  if (known !== undefined) return known;
  const entry = FILES[name]!;
  let asset: WebAsset | null;
  try {
    asset = { contentType: entry.type, body: packageText(entry.file) };
  } catch {
    asset = null;
  }
  cache.set(name, asset);
  return asset;
}
