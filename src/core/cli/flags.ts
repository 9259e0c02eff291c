/**
 * How a verb declares its flags: once, with the type its value is checked against, its default, and
 * whether it repeats or can be negated. The parser (parse-args.ts), the help (help.ts) and the types a
 * verb reads (`FlagValues<F>`) all come from this one declaration.
 */

interface FlagBase {
  /** One sentence for --help; the default is appended from `default` when there is one. */
  description: string;
  /** The value's name in --help (`--memory SIZE`). */
  placeholder?: string;
  /** The --help section it is listed under, for flags shared by several verbs (default: "Flags"). */
  group?: string;
}

/** Any text (an empty value is allowed: `--events ""`). `repeat` collects every occurrence. */
export interface StringFlag extends FlagBase {
  type: "string";
  default?: string;
  repeat?: boolean;
}

/** Present or not. `negatable` also accepts `--no-<name>` (for flags that are on by default). */
export interface BooleanFlag extends FlagBase {
  type: "boolean";
  default?: boolean;
  negatable?: boolean;
}

/** A number; `integer`, `min` (≥) and `above` (>) bound it; `like` gives examples for the message. */
export interface NumberFlag extends FlagBase {
  type: "number";
  default?: number;
  integer?: boolean;
  min?: number;
  above?: number;
  like?: string;
}

/** A memory size (`512M`, `1G`), read as bytes. The default is written as the user would. */
export interface SizeFlag extends FlagBase {
  type: "size";
  default?: string;
}

/** A duration (`2s`, `500ms`), read as milliseconds; `min` is the shortest accepted, as written. */
export interface DurationFlag extends FlagBase {
  type: "duration";
  default?: string;
  min?: string;
}

/** One of a fixed set of words. */
export interface EnumFlag extends FlagBase {
  type: "enum";
  choices: readonly string[];
  default?: string;
}

export type FlagDecl = StringFlag | BooleanFlag | NumberFlag | SizeFlag | DurationFlag | EnumFlag;

/** A verb's flags, keyed by their long name without dashes (`"db-on-box"`). */
export type FlagsDecl = Record<string, FlagDecl>;

/** The value a verb reads for one declaration. */
export type FlagValue<D extends FlagDecl> = D extends BooleanFlag
  ? boolean
  : D extends { repeat: true }
    ? string[]
    : D extends { type: "enum"; choices: readonly (infer C extends string)[] }
      ? D extends { default: string }
        ? C
        : C | undefined
      : D extends { type: "number" | "size" | "duration" }
        ? D extends { default: number | string }
          ? number
          : number | undefined
        : D extends { default: string }
          ? string
          : string | undefined;

export type FlagValues<F extends FlagsDecl> = { -readonly [K in keyof F]: FlagValue<F[K]> };

/** Declares a set of flags, keeping their literal types (for sets shared by several verbs). */
export function defineFlags<const F extends FlagsDecl>(flags: F): F {
  return flags;
}

/** The subset of a flag set some verb takes. */
export function pickFlags<const F extends FlagsDecl, const K extends keyof F>(
  flags: F,
  ...names: K[]
): Pick<F, K> {
  return Object.fromEntries(names.map((n) => [n, flags[n]])) as Pick<F, K>;
}
