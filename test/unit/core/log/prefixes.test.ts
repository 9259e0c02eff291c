import { describe, expect, it } from "vitest";
import { stripPrefixes } from "../../../../src/core/log/prefixes.js";

const LINE = "[2024-01-01 12:00:00 +0000] [123] [INFO] Booting worker with pid: 123";

describe("stripPrefixes", () => {
  it.each([
    ["journald short", `Mar 05 10:00:00 host gunicorn[123]: ${LINE}`, { service: "gunicorn", pid: 123 }],
    [
      "journald short-iso",
      `2024-03-05T10:00:00+0000 host gunicorn[123]: ${LINE}`,
      { service: "gunicorn", pid: 123 },
    ],
    [
      "journald short-precise",
      `Mar 05 10:00:00.123456 host gunicorn[123]: ${LINE}`,
      { service: "gunicorn", pid: 123 },
    ],
    [
      "journald short-full",
      `Tue 2024-03-05 10:00:00 UTC host gunicorn[123]: ${LINE}`,
      { service: "gunicorn", pid: 123 },
    ],
    [
      "journald short-unix",
      `1709632800.123456 host gunicorn[123]: ${LINE}`,
      { service: "gunicorn", pid: 123 },
    ],
    ["bare tag", `gunicorn[123]: ${LINE}`, { service: "gunicorn", pid: 123 }],
    ["indented code block", `    ${LINE}`, {}],
    ["docker compose v2", `web-1  | ${LINE}`, { service: "web-1" }],
    ["docker swarm", `web.1.x7k2@node-1    | ${LINE}`, { service: "web.1.x7k2@node-1" }],
    ["kubectl logs --prefix", `[pod/web-6d4f9/web] ${LINE}`, { service: "web-6d4f9" }],
    ["docker compose v1", `web_1     | ${LINE}`, { service: "web_1" }],
    [
      "syslog relay RFC 5424",
      `<134>1 2024-01-01T12:00:00.000Z host app 123 - - ${LINE}`,
      { service: "app", pid: 123 },
    ],
    ["syslog RFC 3164", `<30>Jan  2 15:04:05 host gunicorn[123]: ${LINE}`, { service: "gunicorn", pid: 123 }],
    ["Heroku", `2024-01-01T00:00:00.000000+00:00 app[web.1]: ${LINE}`, { service: "web.1" }],
    [
      "Kubernetes JSON",
      JSON.stringify({ log: `${LINE}\n`, stream: "stderr", time: "2024-01-01T00:00:00.1Z" }),
      {},
    ],
    ["Kubernetes CRI", `2024-01-01T00:00:00.000000000Z stderr F ${LINE}`, {}],
    ["markdown quote", `> ${LINE}`, {}],
    ["nested markdown quote", `> > ${LINE}`, {}],
    ["box drawing", `│ ${LINE}`, {}],
    ["ANSI colours + compose", `\u001b[36mweb-1  |\u001b[0m ${LINE}`, { service: "web-1" }],
    [
      "compose around journald",
      `web-1  | Mar 05 10:00:00 host gunicorn[123]: ${LINE}`,
      { service: "web-1", pid: 123 },
    ],
  ])("%s", (_name, raw, expected) => {
    const out = stripPrefixes(raw);
    expect(out.text).toBe(LINE);
    if ("service" in expected) expect(out.service).toBe(expected.service);
    if ("pid" in expected) expect(out.pid).toBe(expected.pid);
  });

  it("keeps the shipper's time", () => {
    expect(stripPrefixes(`2024-01-01T00:00:00.000000000Z stderr F ${LINE}`).stamp?.iso).toBe(
      "2024-01-01T00:00:00.000000000Z",
    );
    expect(stripPrefixes(`Mar 05 10:00:00 host gunicorn[123]: x`).stamp?.iso).toBeUndefined();
  });

  it("leaves plain gunicorn lines and tracebacks alone", () => {
    expect(stripPrefixes(LINE).text).toBe(LINE);
    expect(stripPrefixes("Traceback (most recent call last):").text).toBe(
      "Traceback (most recent call last):",
    );
    expect(stripPrefixes("2015-06-01 10:00:00 [200] [INFO] Starting gunicorn 19.1.1").text).toBe(
      "2015-06-01 10:00:00 [200] [INFO] Starting gunicorn 19.1.1",
    );
  });
});
