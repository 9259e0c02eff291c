/**
 * The requests `profile` and `lab` send: not only GETs, because an app's expensive path is often a
 * POST (a login that hashes a password). From the command line — `--url 'POST /login' --data @body.json
 * --header 'Content-Type: application/json'`, where --data and --header belong to the --url before them
 * — or from a request-list file in the `.http` format editors know (requests separated by `###`).
 * Pure: file contents come in through `read`.
 */
import { GwardenError } from "../error.js";

export interface RequestSpec {
  method: string;
  /** Path with query, starting with `/`. */
  path: string;
  headers: Array<[string, string]>;
  body: string | null;
}

/** `POST /login` for reports; a plain GET is just its path (`/health`), as profiles always wrote it. */
export function requestLabel(r: RequestSpec): string {
  return r.method === "GET" && r.body === null && r.headers.length === 0 ? r.path : `${r.method} ${r.path}`;
}

/** A GET of a path. */
export function getRequest(path: string): RequestSpec {
  return { method: "GET", path, headers: [], body: null };
}

/** `/health` or `POST /login` → method and path. */
export function parseRequestTarget(text: string, where = "--url"): { method: string; path: string } {
  const words = text.trim().split(/\s+/);
  const [first = "", second] = words;
  const method = second === undefined ? "GET" : first.toUpperCase();
  const path = second === undefined ? first : second;
  if (words.length > 2 || !path.startsWith("/") || !/^[A-Z]+$/.test(method)) {
    throw new GwardenError(
      "E_USAGE",
      `Expected ${where} to be a path starting with / or METHOD /path, got \`${text}\``,
      { hint: `e.g. ${where} /health or ${where} 'POST /login'` },
    );
  }
  return { method, path };
}

/** `Name: value` → a header pair. */
export function parseHeader(text: string, where = "--header"): [string, string] {
  const colon = text.indexOf(":");
  const name = text.slice(0, Math.max(0, colon)).trim();
  if (colon <= 0 || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
    throw new GwardenError("E_USAGE", `Expected ${where} to be \`Name: value\`, got \`${text}\``);
  }
  return [name, text.slice(colon + 1).trim()];
}

/** A body given as `@file` (read through `read`) or as the text itself. */
function bodyOf(value: string, read: (path: string) => string): string {
  return value.startsWith("@") ? read(value.slice(1)) : value;
}

/** One `--url`, `--data` or `--header` with its value (`--name value` or `--name=value`). */
function flagsInOrder(own: readonly string[]): Array<{ name: string; value: string }> {
  const names = ["--url", "--data", "--header"];
  const out: Array<{ name: string; value: string }> = [];
  for (let i = 0; i < own.length; i++) {
    const arg = own[i]!;
    const name = names.find((n) => arg === n || arg.startsWith(`${n}=`));
    if (name === undefined) continue;
    if (arg !== name) {
      out.push({ name, value: arg.slice(name.length + 1) });
      continue;
    }
    const value = own[++i];
    if (value === undefined || value.startsWith("--"))
      throw new GwardenError("E_USAGE", `Expected a value after \`${name}\``);
    out.push({ name, value });
  }
  return out;
}

/**
 * The requests of `--url`, `--data` and `--header` in command-line order: --data and --header belong to
 * the --url before them; --data on a --url without a method makes it a POST (as curl does).
 */
export function requestsFromFlags(own: readonly string[], read: (path: string) => string): RequestSpec[] {
  const out: RequestSpec[] = [];
  let methodGiven = false;
  for (const { name, value } of flagsInOrder(own)) {
    if (name === "--url") {
      out.push({ ...parseRequestTarget(value), headers: [], body: null });
      methodGiven = value.trim().includes(" ");
      continue;
    }
    const last = out.at(-1);
    if (last === undefined)
      throw new GwardenError("E_USAGE", `${name} belongs to a request: give --url before it`, {
        hint: "--url 'POST /login' --data @body.json --header 'Content-Type: application/json'",
      });
    if (name === "--header") last.headers.push(parseHeader(value));
    else {
      last.body = bodyOf(value, read);
      if (!methodGiven) last.method = "POST";
    }
  }
  return out;
}

/**
 * A request-list file in the `.http` format: requests separated by lines starting with `###`; each is a
 * `METHOD /path` line (comments `#` or `//` before it), header lines, a blank line, then the body — or
 * `< file` for a body kept in a file. `read` reads such files (relative to the list's directory).
 */
export function parseRequestFile(text: string, read: (path: string) => string, where: string): RequestSpec[] {
  const out: RequestSpec[] = [];
  for (const block of text.split(/^###.*$/m)) {
    const lines = block.split(/\r?\n/);
    let i = 0;
    while (i < lines.length && (lines[i]!.trim() === "" || /^\s*(#|\/\/)/.test(lines[i]!))) i++;
    if (i >= lines.length) continue;
    const target = parseRequestTarget(lines[i]!.replace(/\s+HTTP\/[\d.]+\s*$/, ""), `a request in ${where}`);
    i++;
    const headers: Array<[string, string]> = [];
    for (; i < lines.length && lines[i]!.trim() !== ""; i++)
      headers.push(parseHeader(lines[i]!, `a header in ${where}`));
    const bodyText = lines
      .slice(i + 1)
      .join("\n")
      .replace(/\s+$/, "");
    // `< path` (a space after <) is a file; a body that starts with `<?xml` or `<html` is the body.
    const file = /^<\s+(\S[^\n]*)$/.exec(bodyText);
    const body = bodyText === "" ? null : file ? read(file[1]!.trim()) : bodyText;
    out.push({ ...target, headers, body });
  }
  if (out.length === 0)
    throw new GwardenError("E_USAGE", `No request found in ${where}`, {
      hint: "one `METHOD /path` line per request, requests separated by `###`",
    });
  return out;
}

/** Requests as a `.http` request list (what `parseRequestFile` reads back). */
export function renderRequestFile(requests: readonly RequestSpec[]): string {
  return (
    requests
      .map((r) => {
        const lines = [`${r.method} ${r.path}`, ...r.headers.map(([k, v]) => `${k}: ${v}`)];
        if (r.body !== null) lines.push("", r.body);
        return lines.join("\n");
      })
      .join("\n\n###\n") + "\n"
  );
}
