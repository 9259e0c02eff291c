/**
 * Reads a gunicorn command line the way gunicorn's argparse does, enough to find the app spec, the
 * working directory, the user's config file and the flags gwarden manages itself (sizing, bind,
 * config), and to keep every other argument as given. Pure: `profile`, `plan`, `run` and `doctor`
 * share it.
 */

import { wrappersLength } from "./wrappers.js";

/** Settings gwarden sets in its generated config; a command-line flag would override them. */
export type ManagedName =
  | "bind"
  | "workers"
  | "threads"
  | "timeout"
  | "graceful_timeout"
  | "max_requests"
  | "max_requests_jitter"
  | "preload_app"
  | "worker_tmp_dir"
  | "backlog"
  | "keepalive"
  | "config";

export interface ManagedFlag {
  name: ManagedName;
  /** The flag as written (`-w`, `--workers`). */
  flag: string;
  /** Its value; null for `--preload`. */
  value: string | null;
}

export interface GunicornCommand {
  /**
   * The argv prefix that starts gunicorn, as launched: `["gunicorn"]`, `["/usr/bin/python3", "-m",
   * "gunicorn"]`, `["gosu", "app", "gunicorn"]` (wrappers included).
   */
  launcher: string[];
  /** The wrappers before gunicorn (`["setpriv", "--reuid=1000", "--init-groups"]`); empty when none. */
  wrapper: string[];
  /** The launcher after the wrappers: what runs gunicorn itself (`["gunicorn"]`, `[python, "-m", "gunicorn"]`). */
  program: string[];
  /** `module:callable` (the positional APP_MODULE), or null when only a config file names the app. */
  spec: string | null;
  /** `--chdir` as given (not resolved), or null. */
  chdir: string | null;
  /** `-c/--config` as given: the user's own config, to be loaded and chained by gwarden's. */
  userConfig: string | null;
  /** Managed flags found, in order, with their values. */
  managed: ManagedFlag[];
  /** Every other argument, in order, without the spec and the managed flags. */
  args: string[];
}

const MANAGED: Record<string, ManagedName> = {
  "-b": "bind",
  "--bind": "bind",
  "-w": "workers",
  "--workers": "workers",
  "--threads": "threads",
  "-t": "timeout",
  "--timeout": "timeout",
  "--graceful-timeout": "graceful_timeout",
  "--max-requests": "max_requests",
  "--max-requests-jitter": "max_requests_jitter",
  "--preload": "preload_app",
  "--worker-tmp-dir": "worker_tmp_dir",
  "--backlog": "backlog",
  "--keep-alive": "keepalive",
  "-c": "config",
  "--config": "config",
};

/** Flags that take no value (gunicorn 19.x – 26.x: store_true/store_false/store_const, plus -v/-h). */
const NO_VALUE = new Set([
  "--capture-output",
  "--casefold-http-method",
  "--check-config",
  "--daemon",
  "-D",
  "--disable-redirect-access-to-syslog",
  "--do-handshake-on-connect",
  "--enable-backlog-metric",
  "--enable-stdio-inheritance",
  "-R",
  "--initgroups",
  "--log-syslog",
  "--no-control-socket",
  "--no-sendfile",
  "--permit-obsolete-folding",
  "--permit-unconventional-http-method",
  "--permit-unconventional-http-version",
  "--preload",
  "--print-config",
  "--proxy-protocol",
  "--reload",
  "--reuse-port",
  "--spew",
  "--strip-header-spaces",
  "--suppress-ragged-eofs",
  "--tolerate-dangerous-framing",
  "-v",
  "--version",
  "-h",
  "--help",
]);

/** Short flags that take a value and may have it glued on (`-w3`, `-b:8000`). */
const SHORT_WITH_VALUE = /^-([bwktcepugmn])(.+)$/;

function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** The length of argv's launcher prefix: `gunicorn`, a path, `python… -m <module>`; 0 when absent. */
function launcherLength(argv: readonly string[]): number {
  const first = argv[0];
  if (first === undefined || first.startsWith("-")) return 0;
  if (/^python[\d.]*$/.test(basename(first)) && argv[1] === "-m" && argv[2] !== undefined) return 3;
  if (/^gunicorn[\d.]*$/.test(basename(first)) || (first.includes("/") && !first.includes(":"))) return 1;
  return 0;
}

/**
 * Parses a gunicorn command line, after any wrappers (`gosu app`, `env K=V`, ...: wrappers.ts). Without
 * a recognisable launcher, `gunicorn` from PATH is assumed, unless the first word is followed by another
 * bare word (then the first is the program: `gunicorn3 app:app`, `mygunicorn app:app`) or follows a
 * wrapper (which always runs a program).
 */
export function parseGunicornArgv(argv: readonly string[]): GunicornCommand {
  const wrap = wrappersLength(argv);
  const first = argv[wrap];
  let skip = launcherLength(argv.slice(wrap));
  if (wrap > 0 && skip === 0 && first !== undefined && !first.startsWith("-")) skip = 1;
  const command = parseFrom(argv, wrap, skip);
  if (wrap === 0 && skip === 0 && command.spec === argv[0] && !command.spec.includes(":")) {
    const extra = parseFrom(argv, 0, 1);
    if (extra.spec !== null) return extra;
  }
  return command;
}

function parseFrom(argv: readonly string[], wrap: number, skip: number): GunicornCommand {
  const launcher = skip === 0 ? [...argv.slice(0, wrap), "gunicorn"] : argv.slice(0, wrap + skip);
  const command: GunicornCommand = {
    launcher,
    wrapper: argv.slice(0, wrap),
    program: launcher.slice(wrap),
    spec: null,
    chdir: null,
    userConfig: null,
    managed: [],
    args: [],
  };
  for (let i = wrap + skip; i < argv.length; i++) {
    const arg = argv[i]!;
    let flag = arg;
    let value: string | null = null;
    let consumed = 0;
    if (arg === "--") {
      continue;
    } else if (arg.startsWith("--") && arg.includes("=")) {
      flag = arg.slice(0, arg.indexOf("="));
      value = arg.slice(arg.indexOf("=") + 1);
    } else if (!arg.startsWith("-") || arg === "-") {
      if (command.spec === null) command.spec = arg;
      else command.args.push(arg);
      continue;
    } else if (SHORT_WITH_VALUE.test(arg) && !NO_VALUE.has(arg)) {
      const match = SHORT_WITH_VALUE.exec(arg)!;
      flag = `-${match[1]}`;
      value = match[2]!;
    } else if (!NO_VALUE.has(arg) && i + 1 < argv.length) {
      value = argv[i + 1]!;
      consumed = 1;
    }
    const managed = MANAGED[flag];
    if (managed !== undefined) {
      command.managed.push({ name: managed, flag, value });
      if (managed === "config") command.userConfig = value;
    } else {
      if (flag === "--chdir") command.chdir = value;
      command.args.push(...argv.slice(i, i + 1 + consumed));
    }
    i += consumed;
  }
  return command;
}

/** The last value of one managed flag (gunicorn keeps the last), or undefined when absent. */
export function managedValue(command: GunicornCommand, name: ManagedName): string | null | undefined {
  const found = command.managed.filter((flag) => flag.name === name);
  return found.length === 0 ? undefined : found[found.length - 1]!.value;
}
