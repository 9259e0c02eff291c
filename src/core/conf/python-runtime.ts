/**
 * The Python half of the rendered gunicorn.conf.py. It lives in real files — the package
 * src/python/gwarden_runtime/ and its loader src/python/gwarden_loader.py — that CI compiles, lints
 * (pyflakes) and unit-tests; the adapter src/adapters/conf/python-runtime.ts reads them, and the
 * renderer embeds them so the conf stays ONE standalone file (a saved `gwarden plan --format conf`
 * runs without gwarden installed): each module's source as a raw string, recreated by the loader
 * under `gwarden_runtime.<name>` in sys.modules.
 */
import { GwardenError } from "../error.js";

/** The package's modules in load order: each imports only modules listed before it. */
export const RUNTIME_MODULES = [
  "__init__",
  "channel",
  "stats",
  "guard",
  "cgroup_dir",
  "cgroup_files",
  "event_config",
  "kernel_events",
  "user_config",
  "retire",
  "hooks",
] as const;

export type RuntimeModuleName = (typeof RUNTIME_MODULES)[number];

export interface PythonRuntime {
  /** src/python/gwarden_loader.py: defines `_gw_load_runtime(modules, origin)`. */
  loader: string;
  /** src/python/gwarden_runtime/<name>.py, by module name. */
  modules: Readonly<Record<RuntimeModuleName, string>>;
}

/**
 * Our own sources only: they must be ASCII, use LF line ends, end with a newline and never contain
 * `'''` (so each fits in a raw triple-quoted literal); otherwise rendering stops — a packaging error.
 */
function checked(name: string, source: string): string {
  // eslint-disable-next-line no-control-regex
  const bad = /[^\x09\x0a\x20-\x7e]/.exec(source);
  let why: string | null = null;
  if (bad !== null)
    why = `character U+${bad[0].codePointAt(0)!.toString(16).padStart(4, "0")} at offset ${bad.index}`;
  else if (source.includes("'''")) why = "a ''' sequence";
  else if (!source.endsWith("\n")) why = "no final newline";
  if (why === null) return source;
  throw new GwardenError("E_INTERNAL", `the Python runtime file ${name}.py cannot be embedded: ${why}`, {
    hint: "the runtime sources must be ASCII, end with a newline and never contain '''",
  });
}

/** The lines that define the loader and load the embedded package as `_gw_runtime`. */
export function runtimeLines(runtime: PythonRuntime): string[] {
  const entries = RUNTIME_MODULES.map(
    (name) => `    ("${name}", r'''${checked(name, runtime.modules[name])}'''),`,
  );
  return [
    "# gwarden's runtime: the package gwarden_runtime (src/python/ in gwarden's sources), embedded so that",
    "# this file stands alone, and loaded as gwarden_runtime.* by the loader below.",
    checked("gwarden_loader", runtime.loader).trimEnd(),
    "",
    "",
    "_GW_RUNTIME = [",
    ...entries,
    "]",
    '_gw_runtime = _gw_load_runtime(_GW_RUNTIME, globals().get("__file__", "gunicorn.conf.py"))',
    "del _GW_RUNTIME",
  ];
}
