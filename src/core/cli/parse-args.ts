/**
 * The strict parser of a verb's arguments. Everything before the first `--` is gwarden's: declared long
 * flags (`--flag value` or `--flag=value`; `--no-<flag>` only for negatable ones) and, for verbs that
 * take them, operands. Everything after `--` is the app's command, untouched. An unknown flag, a flag
 * without its value, a value of the wrong type or a stray word is an error (exit 2) that names it and,
 * when a declared flag is close, says which one was meant.
 */
import { GwardenError } from "../error.js";
import { didYouMean } from "./did-you-mean.js";
import { flagValue, valueName } from "./flag-values.js";
import type { FlagsDecl, FlagValues } from "./flags.js";
import { APP_COMMAND, type VerbContext, type VerbDef } from "./verb.js";

/** A word that is a flag rather than a value: `--x`, `-x`, `--x=…` (a value like `-w 2` has a space). */
const FLAG_LIKE = /^--?[A-Za-z][\w-]*(=|$)/;
/** What gunicorn's command usually starts with, when someone forgot the `--` before it. */
const LOOKS_LIKE_APP_COMMAND = /(^|\/)(gunicorn[\d.]*|python[\d.]*)$|^[\w.]+:[\w.()]+$/;

/** `-h` / `--help` among gwarden's own arguments (before `--`). */
export function wantsHelp(args: readonly string[]): boolean {
  const end = args.indexOf("--");
  return (end === -1 ? args : args.slice(0, end)).some((a) => a === "--help" || a === "-h");
}

/** The names a user could have meant: every flag, `no-<flag>` for negatable ones, and help. */
function spellings(flags: FlagsDecl): string[] {
  return Object.entries(flags)
    .flatMap(([name, d]) => (d.type === "boolean" && d.negatable === true ? [name, `no-${name}`] : [name]))
    .concat("help");
}

function usageError(message: string, hint: string): GwardenError {
  return new GwardenError("E_USAGE", message, { hint });
}

export function parseVerbArgs<F extends FlagsDecl>(
  def: VerbDef<F>,
  rawArgs: readonly string[],
): Omit<VerbContext<F>, "rawArgs"> {
  const verb = `gwarden ${def.name}`;
  const helpHint = `\`${verb} --help\` lists its flags`;
  const end = rawArgs.indexOf("--");
  const own = end === -1 ? rawArgs : rawArgs.slice(0, end);
  const command = end === -1 ? [] : rawArgs.slice(end + 1);
  const texts = new Map<string, string[]>();
  const booleans = new Map<string, boolean>();
  const operands: string[] = [];

  for (let i = 0; i < own.length; i++) {
    const arg = own[i]!;
    if (!FLAG_LIKE.test(arg)) {
      if (def.operands !== undefined && (arg === "-" || !arg.startsWith("-"))) {
        operands.push(arg);
        continue;
      }
      const beforeApp = def.command !== undefined && LOOKS_LIKE_APP_COMMAND.test(arg);
      throw usageError(
        `Unexpected argument \`${arg}\` for \`${verb}\``,
        beforeApp ? `put the app's command after \`--\`: ${verb} [flags] ${APP_COMMAND}` : helpHint,
      );
    }
    if (!arg.startsWith("--")) {
      throw usageError(
        `Unknown flag \`${arg}\` for \`${verb}\``,
        def.command === undefined
          ? helpHint
          : `gunicorn's own flags go after \`--\` (\`${verb} [flags] -- gunicorn ${arg} … app:app\`); ${helpHint}`,
      );
    }
    const at = arg.indexOf("=");
    const name = arg.slice(2, at === -1 ? undefined : at);
    const inline = at === -1 ? undefined : arg.slice(at + 1);
    const decl = def.flags[name];
    const negated = name.startsWith("no-") ? def.flags[name.slice(3)] : undefined;

    if (decl === undefined && negated?.type === "boolean" && negated.negatable === true) {
      if (inline !== undefined) throw usageError(`\`--${name}\` takes no value, got \`${inline}\``, helpHint);
      booleans.set(name.slice(3), false);
      continue;
    }
    if (decl === undefined) {
      const near = didYouMean(name, spellings(def.flags));
      throw usageError(
        `Unknown flag \`--${name}\` for \`${verb}\``,
        near === null ? helpHint : `did you mean \`--${near}\`? (${helpHint})`,
      );
    }
    if (decl.type === "boolean") {
      if (inline !== undefined) flagValue(name, decl, inline);
      booleans.set(name, true);
      continue;
    }
    let text = inline;
    if (text === undefined) {
      const next = own[i + 1];
      if (next === undefined || FLAG_LIKE.test(next)) {
        const example = def.examples.map((e) => e.command).find((c) => c.includes(`--${name} `));
        const usage = `--${name} ${valueName(decl)}`;
        throw usageError(
          `\`--${name}\` needs a value (${usage})`,
          example !== undefined ? `e.g. ${example}` : `write ${usage} or --${name}=${valueName(decl)}`,
        );
      }
      text = next;
      i++;
    }
    const seen = texts.get(name) ?? [];
    if (seen.length > 0 && !(decl.type === "string" && decl.repeat === true)) {
      throw usageError(
        `\`--${name}\` is given twice (\`${seen[0]}\` and \`${text}\`)`,
        `give it once; ${helpHint}`,
      );
    }
    texts.set(name, [...seen, text]);
  }

  if (end !== -1 && def.command === undefined)
    throw usageError(`\`${verb}\` takes no command after \`--\``, helpHint);
  if (def.command === "required" && command.length === 0)
    throw usageError(
      `\`${verb}\` needs the gunicorn command after \`--\``,
      `e.g. ${def.examples[0]?.command ?? `${verb} -- gunicorn app:app`}`,
    );
  if (def.operands !== undefined && operands.length < def.operands.min)
    throw usageError(`\`${verb}\` needs ${def.operands.usage}: ${def.operands.description}`, helpHint);

  return {
    args: flagValues(def.flags, texts, booleans),
    given: new Set([...texts.keys(), ...booleans.keys()]),
    operands,
    command,
  };
}

/** Every declared flag's value: given ones checked and converted, absent ones their default. */
function flagValues<F extends FlagsDecl>(
  flags: F,
  texts: ReadonlyMap<string, string[]>,
  booleans: ReadonlyMap<string, boolean>,
): FlagValues<F> {
  const values: Record<string, unknown> = {};
  for (const [name, decl] of Object.entries(flags)) {
    const given = texts.get(name);
    if (decl.type === "boolean") values[name] = booleans.get(name) ?? decl.default ?? false;
    else if (decl.type === "string" && decl.repeat === true) values[name] = given ?? [];
    else if (given !== undefined) values[name] = flagValue(name, decl, given[0]!);
    else values[name] = decl.default === undefined ? undefined : flagValue(name, decl, String(decl.default));
  }
  return values as FlagValues<F>;
}
