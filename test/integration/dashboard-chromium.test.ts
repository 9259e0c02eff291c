/// <reference lib="dom" />
/**
 * The web dashboard in Debian's headless Chromium (playwright-core) against a real `gwarden run` over
 * Debian's gunicorn in a 512 MiB cgroup: the page loads with nothing fetched from outside the box
 * (every non-loopback request is blocked and recorded), values update live, a worker the test
 * SIGKILLs appears in the event list, and a request path crafted as `<script>` / `<img onerror>` that
 * gunicorn writes into its error log renders as text and runs nothing. Screenshots (desktop and
 * phone) go to test-results/.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHttpServer } from "../../src/adapters/http/http-server.js";
import type { GunicornEvent } from "../../src/core/events/types.js";
import { RingBuffer } from "../../src/core/ring-buffer.js";
import { repoRoot } from "../helpers/gunicorns.js";
import { snapshot } from "../unit/core/snapshot/example-snapshot.js";
import {
  childrenOf,
  masterOf,
  MiB,
  plannedWorkers,
  startBoxed,
  until,
  type Boxed,
} from "./monitor-harness.js";

const XSS_PATH = "/boom<script>window.__xss=1</script><img/src=x/onerror=window.__xss=2>";
/** A WSGI app whose /boom raises, so gunicorn logs "Error handling request <path>" with the raw path. */
const APP = `def app(environ, start_response):
    if environ.get("PATH_INFO", "").startswith("/boom"):
        raise RuntimeError("boom")
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok\\n"]
`;

const results = join(repoRoot, "test-results");
let appDir: string;
let profileDir: string;
let box: Boxed;
let context: BrowserContext;
let page: Page;
const blocked: string[] = [];
const pageErrors: string[] = [];

/** Sends a raw HTTP/1.0 request (fetch would percent-encode the path) and waits for the answer. */
function rawGet(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = "";
    const socket = connect(port, "127.0.0.1", () =>
      socket.write(`GET ${path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n`),
    );
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (answer += chunk));
    socket.on("end", () => resolve(answer));
    socket.on("error", reject);
  });
}

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(results, name), fullPage: true });
}

beforeAll(async () => {
  mkdirSync(results, { recursive: true });
  appDir = mkdtempSync(join(tmpdir(), "gwarden-dash-app-"));
  writeFileSync(join(appDir, "xss_app.py"), APP);
  box = await startBoxed({
    memoryBytes: 512 * MiB,
    run: true,
    chdir: appDir,
    app: "xss_app:app",
    name: "dashboard",
  });
  profileDir = mkdtempSync(join(tmpdir(), "gwarden-chromium-"));
  // a fresh profile directory: nothing cached or remembered from another run
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: { width: 1280, height: 900 },
  });
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === "127.0.0.1") return route.continue();
    blocked.push(url.href);
    return route.abort();
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on("pageerror", (error) => pageErrors.push(error.message));
}, 90_000);

afterAll(async () => {
  await context?.close();
  await box?.close();
  rmSync(appDir, { recursive: true, force: true });
  rmSync(profileDir, { recursive: true, force: true });
});

describe("the web dashboard in Chromium", () => {
  it("loads self-contained, shows the workers and the memory bar, and updates live", async () => {
    const master = await masterOf(box, true);
    const planned = await plannedWorkers(box);
    const workers = await until(`${planned} workers`, () =>
      childrenOf(master).length === planned ? childrenOf(master) : null,
    );
    const res = await page.goto(`http://127.0.0.1:${box.apiPort}/`);
    expect(res?.status()).toBe(200);
    await page.waitForFunction(
      (n) => document.querySelectorAll("#workers tbody tr").length === n,
      workers.length,
    );
    const pids = await page.$$eval("#workers tbody tr", (rows) =>
      rows.map((r) => Number((r as HTMLElement).dataset.pid)),
    );
    expect(pids.sort((a, b) => a - b)).toEqual(workers);
    expect(await page.textContent("#mem-limit")).toBe("512.0 MiB");
    // the usage figures say whose they are: gwarden run's own group, the test's sandbox
    expect(await page.textContent("#cgroup-path")).toBe(`memory figures of cgroup ${box.sandbox.memoryDir}`);
    // the browser's icon requests are answered, not 404 (Node asks for /favicon.ico: Playwright's
    // request routing makes Chromium fail that one path whatever the server says)
    const link = await page.$eval('link[rel="icon"]', (el) => (el as HTMLLinkElement).href);
    expect(await page.evaluate(async (url) => (await fetch(url)).status, link)).toBe(200);
    const ico = await fetch(`http://127.0.0.1:${box.apiPort}/favicon.ico`);
    expect([ico.status, ico.headers.get("content-type")]).toEqual([200, "image/svg+xml"]);
    expect(await page.textContent("#verdict-level")).toMatch(/healthy|degraded|failing/);
    const width = await page.$eval("#membar-ws", (el) => (el as HTMLElement).style.width);
    expect(parseFloat(width)).toBeGreaterThan(0);
    // live: the status time and the chart history move on without a reload
    const first = await page.textContent("#status");
    await page.waitForFunction((before) => document.getElementById("status")?.textContent !== before, first, {
      timeout: 10_000,
    });
    await page.waitForFunction(
      () => (window as unknown as { gwardenCharts: { points(): number } }).gwardenCharts.points() >= 3,
      undefined,
      { timeout: 15_000 },
    );
    expect(await page.$$eval(".chart canvas", (c) => c.length)).toBeGreaterThanOrEqual(4);
    expect(await page.$$eval("#plan tbody tr", (rows) => rows.length)).toBeGreaterThan(3);
    await shot("dashboard-desktop.png");
    expect(blocked).toEqual([]);
  });

  it("shows a worker the test kills in the event list", async () => {
    const master = await masterOf(box, true);
    const victim = childrenOf(master).at(-1)!;
    process.kill(victim, "SIGKILL");
    const row = await page.waitForSelector(`#events tbody tr[data-kind="worker_signal"] >> text=${victim}`, {
      timeout: 20_000,
    });
    expect(await row.evaluate((el) => el.closest("tr")?.textContent ?? "")).toMatch(/SIGKILL|died/);
    await page.waitForFunction(
      () => document.getElementById("verdict-level")?.textContent !== "healthy",
      undefined,
      { timeout: 10_000 },
    );
    await shot("dashboard-after-kill.png");
  });

  it("renders a <script> request path from the log as inert text", async () => {
    const answer = await rawGet(box.port, XSS_PATH);
    expect(answer).toMatch(/^HTTP\/1\.[01] 500/);
    const row = await page.waitForSelector('#events tbody tr[data-kind="request_error"]', {
      timeout: 20_000,
    });
    const text = await row.evaluate((el) => el.textContent ?? "");
    expect(text).toContain("<script>window.__xss=1</script>");
    expect(text).toContain("<img/src=x/onerror=window.__xss=2>");
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(
      await page.$$eval("#events script, #events img, #findings script, #findings img", (els) => els.length),
    ).toBe(0);
    // the 500 counts in the verdict
    await page.waitForFunction(
      () => /request failed with an app error/.test(document.getElementById("reasons")?.textContent ?? ""),
      undefined,
      { timeout: 10_000 },
    );
    // the filter narrows the list to it, still as text
    await page.fill("#filter-text", "__xss");
    await page.waitForFunction(() => document.querySelectorAll("#events tbody tr").length === 1);
    await shot("dashboard-xss-filtered.png");
    await page.fill("#filter-text", "");
    expect(pageErrors).toEqual([]);
    expect(blocked).toEqual([]);
  });

  it("is readable on a phone", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(2500);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(1);
    await shot("dashboard-phone.png");
    await page.screenshot({ path: join(results, "dashboard-phone-first-screen.png") });
  });

  it("draws a box without a limit honestly: no limit line, PSI ticks that differ, the group named", async () => {
    let n = 0;
    const psi = [0.02, 0.05, 0.11, 0.07, 0.03];
    const server = await startHttpServer({
      listen: "127.0.0.1:0",
      getSnapshot: () => {
        const base = snapshot({ time: new Date(Date.now()).toISOString(), plan: null });
        const some = psi[n++ % psi.length]!;
        return {
          ...base,
          cgroup: {
            ...base.cgroup!,
            path: "/sys/fs/cgroup/memory/user.slice",
            limitBytes: null,
            memoryPressure: {
              some: { avg10: some, avg60: 0, avg300: 0, total: 1 },
              full: { avg10: some / 2, avg60: 0, avg300: 0, total: 1 },
            },
          },
        };
      },
      getEvents: (since) => new RingBuffer<GunicornEvent>(10).since(since),
    });
    try {
      await page.goto(`${server.url}/`);
      await page.waitForFunction(
        () => (window as unknown as { gwardenCharts: { points(): number } }).gwardenCharts.points() >= 3,
        undefined,
        { timeout: 15_000 },
      );
      const ticks = await page.evaluate(() =>
        (window as unknown as { gwardenCharts: { yLabels(id: string): string[] } }).gwardenCharts.yLabels(
          "chart-psi",
        ),
      );
      expect(ticks.length).toBeGreaterThan(2);
      expect(new Set(ticks).size).toBe(ticks.length);
      const legend = await page.$$eval("#chart-memory .u-legend .u-label", (els) =>
        els.map((e) => e.textContent ?? ""),
      );
      expect(legend).toContain("working set");
      expect(legend).not.toContain("limit");
      expect(await page.textContent("#cgroup-path")).toBe(
        "memory figures of cgroup /sys/fs/cgroup/memory/user.slice",
      );
      await shot("dashboard-unlimited.png");
    } finally {
      await server.close();
    }
  });

  it("sends the token from the URL fragment, and says so when it is missing", async () => {
    const server = await startHttpServer({
      listen: "127.0.0.1:0",
      token: "dash-token",
      getSnapshot: () => snapshot({ time: new Date().toISOString(), plan: null }),
      getEvents: (since) => new RingBuffer<GunicornEvent>(10).since(since),
    });
    try {
      await page.goto(`${server.url}/`);
      await page.waitForFunction(() => /HTTP 401/.test(document.getElementById("status")?.textContent ?? ""));
      // and how to give it
      expect(await page.textContent("#status")).toContain(`${server.url}/#token=`);
      await page.goto(`${server.url}/#token=dash-token`);
      await page.reload();
      await page.waitForFunction(() => document.querySelectorAll("#workers tbody tr").length === 2);
      expect(await page.textContent("#status")).toMatch(/^updated /);
    } finally {
      await server.close();
    }
  });
});
