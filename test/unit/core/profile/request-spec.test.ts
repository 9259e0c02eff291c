import { describe, expect, it } from "vitest";
import {
  parseRequestFile,
  parseRequestTarget,
  requestLabel,
  requestsFromFlags,
} from "../../../../src/core/profile/request-spec.js";
import { parseSchedstat } from "../../../../src/core/proc/schedstat.js";
import { readFileSync } from "node:fs";

const files: Record<string, string> = { "body.json": '{"user":"a","password":"b"}' };
const read = (path: string): string => {
  const text = files[path];
  if (text === undefined) throw new Error(`no file ${path}`);
  return text;
};

describe("requests from flags", () => {
  it("reads GET paths, and --data/--header belong to the --url before them", () => {
    const requests = requestsFromFlags(
      [
        "--url",
        "/health",
        "--url",
        "POST /v3/auth/tokens",
        "--data",
        "@body.json",
        "--header",
        "Content-Type: application/json",
        "--url=/db",
      ],
      read,
    );
    expect(requests.map(requestLabel)).toEqual(["/health", "POST /v3/auth/tokens", "/db"]);
    expect(requests[1]).toEqual({
      method: "POST",
      path: "/v3/auth/tokens",
      headers: [["Content-Type", "application/json"]],
      body: '{"user":"a","password":"b"}',
    });
  });

  it("makes a --url with --data a POST unless it names a method, like curl", () => {
    const [plain, put] = requestsFromFlags(
      ["--url", "/login", "--data", "x=1", "--url", "PUT /item", "--data", "y"],
      read,
    );
    expect(plain?.method).toBe("POST");
    expect(put?.method).toBe("PUT");
  });

  it("refuses --data before any --url, and bad targets and headers, naming the value", () => {
    expect(() => requestsFromFlags(["--data", "x"], read)).toThrow(/give --url before it/);
    expect(() => parseRequestTarget("health")).toThrow(/`health`/);
    expect(() => requestsFromFlags(["--url", "/a", "--header", "no colon"], read)).toThrow(/Name: value/);
  });
});

describe("request-list files (.http)", () => {
  it("reads requests separated by ###, with headers, inline bodies and < file bodies", () => {
    const text = [
      "### log in",
      "POST /v3/auth/tokens HTTP/1.1",
      "Content-Type: application/json",
      "",
      '{"auth": {}}',
      "",
      "###",
      "# the cheap one",
      "GET /health",
      "",
      "###",
      "PUT /upload",
      "",
      "< body.json",
      "",
      "###",
      "POST /xml",
      "",
      '<?xml version="1.0"?><a/>',
    ].join("\n");
    const requests = parseRequestFile(text, read, "reqs.http");
    expect(requests).toEqual([
      {
        method: "POST",
        path: "/v3/auth/tokens",
        headers: [["Content-Type", "application/json"]],
        body: '{"auth": {}}',
      },
      { method: "GET", path: "/health", headers: [], body: null },
      { method: "PUT", path: "/upload", headers: [], body: '{"user":"a","password":"b"}' },
      { method: "POST", path: "/xml", headers: [], body: '<?xml version="1.0"?><a/>' },
    ]);
  });

  it("says when a file holds no request", () => {
    expect(() => parseRequestFile("# nothing\n", read, "empty.http")).toThrow(
      /No request found in empty.http/,
    );
  });
});

describe("schedstat", () => {
  it("reads CPU and run-queue nanoseconds from a captured file", () => {
    const text = readFileSync(new URL("../../../fixtures/proc/schedstat", import.meta.url), "utf8");
    expect(parseSchedstat(text)).toEqual({ cpuNs: 224040445, runqueueNs: 25937459 });
    expect(parseSchedstat("garbage")).toBeNull();
  });
});
