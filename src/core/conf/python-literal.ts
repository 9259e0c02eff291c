/**
 * JSON-shaped values as Python source literals. The output is pure ASCII (every other code point is a
 * `\x`, `\u` or `\U` escape) so it is valid in any Python 3 source file and never contains a line break.
 */
import { GwardenError } from "../error.js";

/** Renders a string as a double-quoted Python 3 string literal that evaluates to the same code points. */
export function pyString(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === "\\" || char === '"') out += "\\" + char;
    else if (code >= 0x20 && code < 0x7f) out += char;
    else if (code < 0x100) out += "\\x" + code.toString(16).padStart(2, "0");
    else if (code < 0x10000) out += "\\u" + code.toString(16).padStart(4, "0");
    else out += "\\U" + code.toString(16).padStart(8, "0");
  }
  return out + '"';
}

function pyNumber(value: number): string {
  if (Number.isNaN(value)) return 'float("nan")';
  if (value === Infinity) return 'float("inf")';
  if (value === -Infinity) return 'float("-inf")';
  // JavaScript's shortest round-trip form ("1e+21", "0.1", "-5") is also a Python int/float literal.
  return String(value);
}

/** Renders a JSON-shaped value (null, boolean, number, string, array, plain object) as a Python literal. */
export function pyLiteral(value: unknown): string {
  if (value === null) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") return pyNumber(value);
  if (typeof value === "string") return pyString(value);
  if (Array.isArray(value))
    return (
      "[" + value.map((item: unknown) => (item === undefined ? "None" : pyLiteral(item))).join(", ") + "]"
    );
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return "{" + entries.map(([k, v]) => `${pyString(k)}: ${pyLiteral(v)}`).join(", ") + "}";
  }
  throw new GwardenError("E_INTERNAL", `cannot write ${typeof value} as a Python literal`);
}
