/**
 * A unified diff of two texts, line by line (what `diff -u` prints), for showing a file change before
 * it is made. The longest common subsequence by dynamic programming: fine for config files of a few
 * hundred lines, which is all it is used for.
 */

type Op = { kind: "same" | "del" | "add"; line: string };

function lines(text: string): string[] {
  if (text === "") return [];
  const all = text.split("\n");
  if (all[all.length - 1] === "") all.pop();
  return all;
}

/** The edit script turning `a` into `b`. */
function editScript(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--)
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      ops.push({ kind: "same", line: a[i++]! });
      j++;
    } else if (i < n && (j === m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!))
      ops.push({ kind: "del", line: a[i++]! });
    else ops.push({ kind: "add", line: b[j++]! });
  }
  return ops;
}

/** `--- old` / `+++ new` and hunks with `context` lines around each change; "" when the texts are equal. */
export function unifiedDiff(
  oldText: string,
  newText: string,
  names: { old: string; new: string },
  context = 3,
): string {
  const ops = editScript(lines(oldText), lines(newText));
  const changed = ops.map((op, k) => (op.kind === "same" ? -1 : k)).filter((k) => k >= 0);
  if (changed.length === 0) return "";
  const out = [`--- ${names.old}`, `+++ ${names.new}`];
  let k = 0;
  while (k < changed.length) {
    // A hunk runs from `context` lines before a change to `context` after the last change within reach.
    const start = Math.max(0, changed[k]! - context);
    let end = changed[k]!;
    while (k < changed.length && changed[k]! <= end + 2 * context) end = changed[k++]!;
    end = Math.min(ops.length - 1, end + context);
    let oldLine = 1;
    let newLine = 1;
    for (const op of ops.slice(0, start)) {
      if (op.kind !== "add") oldLine++;
      if (op.kind !== "del") newLine++;
    }
    const body = ops.slice(start, end + 1);
    const oldCount = body.filter((op) => op.kind !== "add").length;
    const newCount = body.filter((op) => op.kind !== "del").length;
    out.push(
      `@@ -${oldCount === 0 ? oldLine - 1 : oldLine},${oldCount} +${newCount === 0 ? newLine - 1 : newLine},${newCount} @@`,
    );
    for (const op of body) out.push(`${op.kind === "same" ? " " : op.kind === "del" ? "-" : "+"}${op.line}`);
  }
  return `${out.join("\n")}\n`;
}
