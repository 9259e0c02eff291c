/**
 * A verb of the command line, declared: its summary, its flags, whether it takes the app's command after
 * `--` or operands (analyze's files), examples, and the function that runs it with the parsed values.
 */
import type { FlagValues, FlagsDecl } from "./flags.js";

/** How the app's command after `--` reads in usage lines. */
export const APP_COMMAND = "-- gunicorn [gunicorn args] app:app";

export interface Example {
  /** A complete command line, starting with `gwarden <verb>`; it must parse (a test checks). */
  command: string;
  comment?: string;
}

export interface VerbContext<F extends FlagsDecl> {
  /** Every declared flag's value, checked and converted (sizes in bytes, durations in ms). */
  args: FlagValues<F>;
  /** The flags given on the command line (by their declared name), to tell a default from a choice. */
  given: ReadonlySet<string>;
  /** Positional words before `--` (only for verbs that declare operands). */
  operands: string[];
  /** The app's command after `--` (empty when none was given). */
  command: string[];
  /** The arguments after the verb, as given. */
  rawArgs: string[];
}

export interface VerbDef<F extends FlagsDecl = FlagsDecl> {
  name: string;
  /** One line: the verb's job (the list of verbs in `gwarden --help`, the first line of its own help). */
  summary: string;
  /** The app's command after `--`: `required` (run, profile, lab), `optional` (plan, doctor), or none. */
  command?: "required" | "optional";
  /** Positional operands (analyze's log files): how they read in the usage line, and how many at least. */
  operands?: { usage: string; min: number; description: string };
  flags: F;
  /** Paragraphs printed after the flags (exit statuses, environment variables). */
  notes?: string[];
  examples: Example[];
  // Method syntax on purpose: a verb with specific flags is still a VerbDef of the registry.
  run(context: VerbContext<F>): Promise<void> | void;
}

/** Declares a verb, keeping its flags' literal types so `run` reads typed values. */
export function defineVerb<const F extends FlagsDecl>(def: VerbDef<F>): VerbDef<F> {
  return def;
}
