/**
 * `gwarden doctor [--json] [--profile F] [-- gunicorn command]`: detect the box, find the installed
 * gunicorn and the configuration it will see, and say what will fail.
 */
import { defineCommand } from "citty";
import { existsSync, readFileSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import { diagnose } from "../core/doctor/findings.js";
import { effectiveConfig } from "../core/doctor/effective-config.js";
import { renderDoctor } from "../core/doctor/render.js";
import type { DoctorInput } from "../core/doctor/types.js";
import { parseGunicornArgv } from "../core/profile/app-identity.js";
import { detectResources } from "../adapters/resources/resources.js";
import { splitAtDoubleDash } from "./argv.js";
import { checkProfileApp, installedVersion, loadProfile } from "./plan.js";
import type { Profile } from "../core/profile/types.js";

function readText(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

/** The gunicorn executable the launcher names: an explicit path, or the first on PATH. */
function gunicornPath(launcher: readonly string[]): string | null {
  const first = launcher[0] ?? "gunicorn";
  if (first.includes("/")) return existsSync(first) ? first : null;
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const candidate = join(dir, first);
    if (dir !== "" && existsSync(candidate)) return candidate;
  }
  return null;
}

function inContainer(): boolean {
  return (
    existsSync("/.dockerenv") ||
    existsSync("/run/.containerenv") ||
    process.env.KUBERNETES_SERVICE_HOST !== undefined
  );
}

/** A profile of another app than the command's is ignored (doctor reports; it does not refuse). */
function matchingProfile(profile: Profile | null, argv: readonly string[], cwd: string): Profile | null {
  if (profile === null) return null;
  try {
    checkProfileApp(profile, argv, cwd, "");
    return profile;
  } catch {
    return null;
  }
}

export default defineCommand({
  meta: {
    name: "doctor",
    description:
      "One look at a box: resources, the installed gunicorn, its effective config, and what will fail",
  },
  args: {
    json: { type: "boolean", description: "Print one JSON document" },
    profile: { type: "string", description: "Profile file (default .gwarden/profile.json when present)" },
  },
  async run({ rawArgs, args }) {
    const { rest } = splitAtDoubleDash(rawArgs);
    const cwd = process.cwd();
    const command = parseGunicornArgv(rest);
    const launcher = rest.length > 0 ? command.launcher : ["gunicorn"];
    const version = await installedVersion(rest);
    const configPath =
      command.userConfig !== null && !command.userConfig.startsWith("python:")
        ? resolve(cwd, command.userConfig.replace(/^file:/, ""))
        : resolve(cwd, "gunicorn.conf.py");
    const configText = readText(configPath);
    const input: DoctorInput = {
      resources: detectResources(),
      gunicorn: { path: gunicornPath(launcher), version },
      configFile: configText === null ? null : { path: configPath, text: configText },
      env: {
        GUNICORN_CMD_ARGS: process.env.GUNICORN_CMD_ARGS,
        WEB_CONCURRENCY: process.env.WEB_CONCURRENCY,
        TMPDIR: process.env.TMPDIR,
      },
      argv: rest,
      profile: loadProfile(args.profile, cwd).profile,
      mountinfo: readText("/proc/self/mountinfo"),
      inContainer: inContainer(),
    };
    const { heartbeatDirFact, heartbeatDirFacts } = await import("../adapters/resources/heartbeat-dirs.js");
    const dir = effectiveConfig(input).worker_tmp_dir?.value ?? "/tmp";
    const candidates = heartbeatDirFacts();
    input.heartbeatDirs = candidates.some((f) => f.dir === dir)
      ? candidates
      : [heartbeatDirFact(dir, input.mountinfo), ...candidates];
    const report = diagnose({ ...input, profile: matchingProfile(input.profile, rest, cwd) });
    process.stdout.write(args.json === true ? `${JSON.stringify(report, null, 2)}\n` : renderDoctor(report));
  },
});
