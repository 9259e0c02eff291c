/**
 * A minimal reader of a gunicorn command line: which sizing settings it fixes, and the app spec.
 * Only what the planner and doctor need; unknown flags are skipped (a value-taking unknown flag may
 * swallow the next word, so the spec is the last bare `module:callable`-looking word).
 */

/** Flags that take a value, by every spelling, mapped to the gunicorn setting name. */
const VALUE_FLAGS: Record<string, string> = {
  "-w": "workers",
  "--workers": "workers",
  "-t": "timeout",
  "--timeout": "timeout",
  "-k": "worker_class",
  "--worker-class": "worker_class",
  "--threads": "threads",
  "--graceful-timeout": "graceful_timeout",
  "--max-requests": "max_requests",
  "--max-requests-jitter": "max_requests_jitter",
  "--worker-tmp-dir": "worker_tmp_dir",
  "--backlog": "backlog",
  "--keep-alive": "keepalive",
  "-c": "config",
  "--config": "config",
  "-b": "bind",
  "--bind": "bind",
  "--chdir": "chdir",
  "--worker-connections": "worker_connections",
  "--log-level": "loglevel",
  "-e": "raw_env",
  "--env": "raw_env",
  "--pythonpath": "pythonpath",
  "--access-logfile": "accesslog",
  "--error-logfile": "errorlog",
  "--log-file": "errorlog",
  "-u": "user",
  "--user": "user",
  "-g": "group",
  "--group": "group",
  "-n": "proc_name",
  "--name": "proc_name",
  "-p": "pidfile",
  "--pid": "pidfile",
};

/** Boolean flags that matter to sizing. */
const BOOL_FLAGS: Record<string, string> = {
  "--preload": "preload_app",
  "--reload": "reload",
  "-D": "daemon",
  "--daemon": "daemon",
  "--check-config": "check_config",
  "--print-config": "print_config",
};

export interface ArgvSetting {
  /** The value as given (`"2"`, `"true"` for boolean flags). */
  value: string;
  /** The flag as written (`-w 2`). */
  text: string;
}

export interface ParsedGunicornArgv {
  /** The last bare word that looks like `module:callable` or `module`, or null. */
  spec: string | null;
  /** Last occurrence wins, like argparse. */
  settings: Record<string, ArgvSetting>;
}

/** Drops a leading `gunicorn` / `python -m gunicorn` / a path ending in gunicorn. */
function stripLauncher(argv: readonly string[]): string[] {
  const args = [...argv];
  const m = args.indexOf("-m");
  if (m !== -1 && args[m + 1] === "gunicorn" && m <= 1) return args.slice(m + 2);
  if (args[0] !== undefined && /(^|\/)gunicorn$/.test(args[0])) return args.slice(1);
  return args;
}

/** Reads the sizing flags and the app spec out of a gunicorn argv. */
export function parseGunicornArgv(argv: readonly string[]): ParsedGunicornArgv {
  const args = stripLauncher(argv);
  const settings: Record<string, ArgvSetting> = {};
  let spec: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const bool = BOOL_FLAGS[arg];
    if (bool !== undefined) {
      settings[bool] = { value: "true", text: arg };
      continue;
    }
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const name = eq === -1 ? arg : arg.slice(0, eq);
    const setting = VALUE_FLAGS[name];
    if (setting !== undefined) {
      const value = eq !== -1 ? arg.slice(eq + 1) : args[++i];
      if (value !== undefined) settings[setting] = { value, text: eq !== -1 ? arg : `${arg} ${value}` };
      continue;
    }
    // Short flags glued to their value: -w2, -t15.
    const glued = /^(-[a-zA-Z])(.+)$/.exec(arg);
    const gluedSetting = glued ? VALUE_FLAGS[glued[1]!] : undefined;
    if (glued && gluedSetting !== undefined) {
      settings[gluedSetting] = { value: glued[2]!, text: arg };
      continue;
    }
    if (!arg.startsWith("-") && /^[\w.]+(:[\w.()'", =]+)?$/.test(arg)) spec = arg;
  }
  return { spec, settings };
}
