/**
 * Test helper: asks Debian's Python to compile rendered sources or evaluate literals, in one process
 * per batch (fast-check runs hundreds of cases).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const python = "/usr/bin/python3";

/** Compiles each source with Python; returns the error text per source ("" when it compiled). */
export function compileErrors(sources: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), "gw-compile-"));
  try {
    const files = sources.map((source, i) => {
      const file = join(dir, `c${i}.py`);
      writeFileSync(file, source, "utf8");
      return file;
    });
    const script = [
      "import json, sys",
      "out = []",
      "for f in sys.argv[1:]:",
      "    try:",
      "        compile(open(f, encoding='utf-8').read(), f, 'exec')",
      "        out.append('')",
      "    except Exception as e:",
      "        out.append(repr(e))",
      "print(json.dumps(out))",
    ].join("\n");
    return JSON.parse(execFileSync(python, ["-c", script, ...files], { encoding: "utf8" })) as string[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Evaluates Python literals and returns their json.dumps, parsed back in JavaScript. */
export function evalLiterals(literals: string[]): unknown[] {
  const dir = mkdtempSync(join(tmpdir(), "gw-literal-"));
  try {
    const file = join(dir, "literals.py");
    writeFileSync(
      file,
      "import json\nprint(json.dumps([\n" + literals.map((l) => `    ${l},\n`).join("") + "]))\n",
      "utf8",
    );
    return JSON.parse(execFileSync(python, [file], { encoding: "utf8" })) as unknown[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs a Python script with `CONF` bound to the path of `conf` written to a temp file; returns stdout. */
export function runWithConf(conf: string, script: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "gw-conf-"));
  try {
    const file = join(dir, "gunicorn.conf.py");
    writeFileSync(file, conf, "utf8");
    const source = [`CONF = ${JSON.stringify(file)}`, ...script].join("\n");
    return execFileSync(python, ["-c", source], { encoding: "utf8" });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
