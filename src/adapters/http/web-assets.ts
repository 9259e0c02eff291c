/**
 * The dashboard's files, read from disk the first time each is asked for and kept (the daemon loads
 * none of them until someone opens `/`). Our own files live in src/web/ (copied to dist/web/ by the
 * build; from dist/adapters/http/ the source tree's src/web/ is the fallback, so an unbundled checkout works
 * too); uPlot comes from its package. Only the names listed here are served.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { WebAsset } from "../../core/serve/routes.js";

const TYPES = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
} as const;

/** Served name → where it is and what it is. */
const FILES: Record<string, { path: () => string; type: string }> = {
  "index.html": { path: () => ownFile("index.html"), type: TYPES.html },
  "dashboard.js": { path: () => ownFile("dashboard.js"), type: TYPES.js },
  "dashboard.css": { path: () => ownFile("dashboard.css"), type: TYPES.css },
  "dashboard-charts.js": { path: () => ownFile("dashboard-charts.js"), type: TYPES.js },
  "favicon.svg": { path: () => ownFile("favicon.svg"), type: TYPES.svg },
  "uPlot.iife.min.js": { path: () => packageFile("uplot/dist/uPlot.iife.min.js"), type: TYPES.js },
  "uPlot.min.css": { path: () => packageFile("uplot/dist/uPlot.min.css"), type: TYPES.css },
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
    asset = { contentType: entry.type, body: readFileSync(entry.path(), "utf8") };
  } catch {
    asset = null;
  }
  cache.set(name, asset);
  return asset;
}

/** The directory of our own web files: dist/web (built) or src/web (source tree). */
export function webDir(): string {
  for (const candidate of ["../../web/", "../../../src/web/"]) {
    const dir = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(`${dir}index.html`)) return dir;
  }
  return fileURLToPath(new URL("../../../src/web/", import.meta.url));
}

function ownFile(name: string): string {
  return `${webDir()}${name}`;
}

function packageFile(specifier: string): string {
  return createRequire(import.meta.url).resolve(specifier);
}
