/**
 * Programs that run another program, as Docker entrypoints put them before gunicorn: privilege droppers
 * (`setpriv`, `runuser -u`, `gosu`, `su-exec`, `chpst`), `nice`, `env K=V`, and the inits `tini` and
 * `dumb-init`. gwarden keeps them in the argv it launches and looks for gunicorn after them, so each
 * one's own options (and the ones that take a value) must be skipped exactly.
 */

interface WrapperSyntax {
  /** Short options that take a value (`-n 10` or glued `-n10`). */
  shortWithValue?: string;
  /** Long options that take a value (`--reuid 1000` or `--reuid=1000`). */
  longWithValue?: readonly string[];
  /** Words before the command that are the wrapper's own (gosu's and su-exec's USER). */
  operands?: number;
  /** `NAME=VALUE` words before the command (env). */
  assignments?: boolean;
}

const WRAPPERS: Readonly<Record<string, WrapperSyntax>> = {
  setpriv: {
    longWithValue: [
      "ruid",
      "euid",
      "rgid",
      "egid",
      "reuid",
      "regid",
      "groups",
      "inh-caps",
      "ambient-caps",
      "bounding-set",
      "securebits",
      "pdeathsig",
      "selinux-label",
      "apparmor-profile",
      "landlock-access",
      "landlock-rule",
      "seccomp-filter",
    ],
  },
  // Only the `runuser -u USER [--] COMMAND` form runs a command directly (without -u it runs a shell).
  runuser: {
    shortWithValue: "ugGcsw",
    longWithValue: [
      "user",
      "group",
      "supp-group",
      "command",
      "session-command",
      "shell",
      "whitelist-environment",
    ],
  },
  gosu: { operands: 1 },
  "su-exec": { operands: 1 },
  // runit's chpst: getopt "u:U:b:e:m:d:o:p:f:c:r:t:/:n:l:L:vP012V".
  chpst: { shortWithValue: "uUbemdopfcrt/nlL" },
  nice: { shortWithValue: "n", longWithValue: ["adjustment"] },
  env: { shortWithValue: "uCS", longWithValue: ["unset", "chdir", "split-string"], assignments: true },
  tini: { shortWithValue: "pe" },
  "dumb-init": { shortWithValue: "r", longWithValue: ["rewrite"] },
};

function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** The wrapper's words starting at `from` (its name, options, operands), or 0 when argv[from] is none. */
function wrapperLength(argv: readonly string[], from: number): number {
  const syntax = WRAPPERS[basename(argv[from] ?? "")];
  if (syntax === undefined) return 0;
  let operands = syntax.operands ?? 0;
  let i = from + 1;
  while (i < argv.length) {
    const arg = argv[i]!;
    if (arg === "--") return i + 1 - from;
    if (arg.startsWith("--")) {
      const takesValue = !arg.includes("=") && (syntax.longWithValue ?? []).includes(arg.slice(2));
      i += takesValue ? 2 : 1;
    } else if (arg.startsWith("-") && (arg.length > 1 || syntax.assignments === true)) {
      // `-n 10` takes the next word; `-n10`, `-10` (nice's old form), env's `-` and flags do not.
      const takesValue = arg.length === 2 && (syntax.shortWithValue ?? "").includes(arg[1]!);
      i += takesValue ? 2 : 1;
    } else if (operands > 0) {
      operands--;
      i++;
    } else if (syntax.assignments === true && /^[A-Za-z_][A-Za-z0-9_]*=/.test(arg)) {
      i++;
    } else break;
  }
  return i - from;
}

/** How many leading words of argv are wrappers (several may be chained: `env K=V gosu app gunicorn`). */
export function wrappersLength(argv: readonly string[]): number {
  let at = 0;
  for (let n = wrapperLength(argv, at); n > 0; n = wrapperLength(argv, at)) at += n;
  return at;
}
