/**
 * Reads `name = value` assignments of a gunicorn.conf.py as text (never executes it): numbers, strings,
 * True/False and lists are decoded; anything else is kept as the expression's text.
 */

/** Top-level `name = value` lines, last one wins, values as gunicorn would print them. */
export function parseConfAssignments(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^([a-z_][a-z0-9_]*)\s*=\s*(.+?)\s*(?:#.*)?$/.exec(line);
    if (!m) continue;
    out[m[1]!] = decodeValue(m[2]!);
  }
  return out;
}

function decodeValue(raw: string): string {
  const str = /^(['"])(.*)\1$/.exec(raw);
  if (str) return str[2]!;
  if (raw === "True") return "true";
  if (raw === "False") return "false";
  if (/^-?\d+(\.\d+)?$/.test(raw)) return String(Number(raw));
  return raw;
}
