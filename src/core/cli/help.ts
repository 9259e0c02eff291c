/**
 * `--help`, generated from the declarations: the usage line (with the app's command where the verb takes
 * one), the flags with their value, default and description, notes, and examples — wrapped to the
 * terminal's width. Pure: the caller passes the width.
 */
import type { FlagDecl, FlagsDecl } from "./flags.js";
import { valueName } from "./flag-values.js";
import { EXIT_CODE_LINES } from "./exit-codes.js";
import { APP_COMMAND, type Example, type VerbDef } from "./verb.js";
import { wrapCommand, wrapWords } from "./wrap.js";

/** Widest flag column before descriptions move to the next line. */
const MAX_LABEL = 26;

export function usageLine(def: VerbDef): string {
  const parts = [`gwarden ${def.name}`, "[flags]"];
  if (def.operands !== undefined) parts.push(def.operands.usage);
  if (def.command === "required") parts.push(APP_COMMAND);
  if (def.command === "optional") parts.push(`[${APP_COMMAND}]`);
  return parts.join(" ");
}

function label(name: string, decl: FlagDecl): string {
  if (decl.type === "boolean") return decl.negatable === true ? `--${name}, --no-${name}` : `--${name}`;
  return `--${name} ${valueName(decl)}`;
}

function description(decl: FlagDecl): string {
  const extras: string[] = [];
  if (decl.type === "boolean" && decl.default === true) extras.push("on by default");
  else if (decl.type !== "boolean" && decl.default !== undefined) extras.push(`default ${decl.default}`);
  if (decl.type === "string" && decl.repeat === true) extras.push("repeatable");
  return extras.length === 0 ? decl.description : `${decl.description} (${extras.join("; ")})`;
}

/** Two columns: label, then the description wrapped beside it (or under it when the label is long). */
function table(
  rows: ReadonlyArray<readonly [string, string]>,
  width: number,
  column = Math.min(MAX_LABEL, Math.max(...rows.map(([l]) => l.length))) + 4,
): string[] {
  const lines: string[] = [];
  for (const [left, right] of rows) {
    const text = wrapWords(right, Math.max(20, width - column));
    if (left.length + 4 > column) {
      lines.push(`  ${left}`);
      for (const t of text) lines.push(`${" ".repeat(column)}${t}`);
    } else {
      text.forEach((t, i) =>
        lines.push(i === 0 ? `  ${left.padEnd(column - 2)}${t}` : `${" ".repeat(column)}${t}`),
      );
    }
  }
  return lines;
}

/** The flags by --help section, in declaration order: the verb's own first, then each shared group. */
function flagSections(flags: FlagsDecl): Map<string, Array<[string, string]>> {
  const sections = new Map<string, Array<[string, string]>>([["Flags", []]]);
  for (const [name, decl] of Object.entries(flags)) {
    const group = decl.group ?? "Flags";
    sections.set(group, [...(sections.get(group) ?? []), [label(name, decl), description(decl)]]);
  }
  return sections;
}

function examples(list: readonly Example[], width: number): string[] {
  const lines: string[] = [];
  for (const example of list) {
    if (lines.length > 0) lines.push("");
    if (example.comment !== undefined)
      lines.push(...wrapWords(`# ${example.comment}`, width - 2, "# ").map((l) => `  ${l}`));
    lines.push(...wrapCommand(example.command, width - 2).map((l) => `  ${l}`));
  }
  return lines;
}

function paragraphs(texts: readonly string[], width: number): string[] {
  return texts.flatMap((t, i) => [...(i > 0 ? [""] : []), ...wrapWords(t, width)]);
}

/** `gwarden <verb> --help`. */
export function renderVerbHelp(def: VerbDef, width: number): string {
  const sections = flagSections(def.flags);
  const own = sections.get("Flags")!;
  own.push(["-h, --help", "Show this help"]);
  if (def.operands !== undefined) own.unshift([def.operands.usage, def.operands.description]);
  // One column for every section, so the descriptions line up down the whole help.
  const column = Math.min(MAX_LABEL, Math.max(...[...sections.values()].flat().map(([l]) => l.length))) + 4;
  const lines = [
    ...wrapWords(`Usage: ${usageLine(def)}`, width, "         "),
    "",
    ...wrapWords(def.summary, width),
  ];
  for (const [title, rows] of sections) lines.push("", `${title}:`, ...table(rows, width, column));
  if (def.notes !== undefined && def.notes.length > 0) lines.push("", ...paragraphs(def.notes, width));
  if (def.examples.length > 0) lines.push("", "Examples:", ...examples(def.examples, width));
  return `${lines.join("\n")}\n`;
}

/** `gwarden --help`: the verbs, the global flags and the exit statuses. */
export function renderMainHelp(
  verbs: ReadonlyArray<Pick<VerbDef, "name" | "summary">>,
  version: string,
  width: number,
): string {
  const lines = [
    ...wrapWords(`gwarden ${version}: keeps Gunicorn alive and fast on small machines.`, width),
    "",
    `Usage: gwarden <verb> [flags] [${APP_COMMAND}]`,
    "",
    "Verbs:",
    ...table(
      verbs.map((v) => [v.name, v.summary] as const),
      width,
    ),
    "",
    "Flags:",
    ...table(
      [
        ["-h, --help", "Show this help; `gwarden <verb> --help` shows a verb's flags and examples"],
        ["-v, --version", "Print gwarden's version"],
      ],
      width,
    ),
    "",
    "Exit status:",
    ...table(
      EXIT_CODE_LINES.map(([code, text]) => [String(code), text] as const),
      width,
    ),
    ...wrapWords(
      "`gwarden run` exits with gunicorn's own status when it gives up restarting it.",
      width - 2,
    ).map((l) => `  ${l}`),
  ];
  return `${lines.join("\n")}\n`;
}
