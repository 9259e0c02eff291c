/**
 * `gwarden doctor [flags] [-- gunicorn command]`: detect the box, find the installed gunicorn and the
 * configuration it will see, and say what will fail. Exits 3 when a finding has severity error.
 */
import { EXIT } from "../core/cli/exit-codes.js";
import { pickFlags } from "../core/cli/flags.js";
import { PLANNING_FLAGS } from "../core/cli/planning-flags.js";
import { defineVerb } from "../core/cli/verb.js";
import { diagnose } from "../core/doctor/findings.js";
import { effectiveConfig } from "../core/doctor/effective-config.js";
import { renderDoctor } from "../core/doctor/render.js";
import { withWhatIf } from "../core/doctor/what-if.js";
import { parseGunicornArgv } from "../core/profile/app-identity.js";
import type { Profile } from "../core/profile/types.js";
import type { DoctorInput } from "../core/doctor/types.js";
import { findExecutable, inContainer } from "../adapters/doctor/box.js";
import { readUserConfig } from "../adapters/conf/user-config.js";
import { heartbeatDirFact, heartbeatDirFacts, readMountInfo } from "../adapters/resources/heartbeat-dirs.js";
import { detectResources } from "../adapters/resources/resources.js";
import { checkProfileApp, installedVersion, loadProfile } from "./plan-setup.js";

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

export default defineVerb({
  name: "doctor",
  summary: "One look at a box: resources, the installed gunicorn, its effective config, and what will fail",
  command: "optional",
  flags: {
    json: { type: "boolean", description: "Print one JSON document" },
    ...pickFlags(PLANNING_FLAGS, "profile", "memory", "cpus"),
  },
  notes: [
    "It reads ./gunicorn.conf.py (or -c), GUNICORN_CMD_ARGS and WEB_CONCURRENCY as gunicorn would. Every finding code is explained in docs/troubleshooting.md.",
    `Exit status: ${EXIT.doctorErrors} when a finding has severity error (the box will fail as configured), ${EXIT.ok} otherwise, ${EXIT.usage} for bad usage.`,
  ],
  examples: [
    {
      command: "gwarden doctor",
      comment: "this box, ./gunicorn.conf.py, GUNICORN_CMD_ARGS, WEB_CONCURRENCY",
    },
    { command: "gwarden doctor -- gunicorn wsgi:app -w 2 --timeout 15" },
    {
      command: "gwarden doctor --memory 512M --cpus 1 -- gunicorn wsgi:app -w 4",
      comment: "what-if: would this command survive a 512 MiB, 1 CPU box?",
    },
  ],
  async run({ args, command: rest }) {
    const cwd = process.cwd();
    const command = parseGunicornArgv(rest);
    const launcher = rest.length > 0 ? command.program : ["gunicorn"];
    const resources = withWhatIf(detectResources(), {
      ...(args.memory === undefined ? {} : { memoryBytes: args.memory }),
      ...(args.cpus === undefined ? {} : { cpus: args.cpus }),
    });
    const input: DoctorInput = {
      resources,
      gunicorn: { path: findExecutable(launcher[0] ?? "gunicorn"), version: await installedVersion(rest) },
      configFile: readUserConfig(rest, cwd),
      env: {
        GUNICORN_CMD_ARGS: process.env.GUNICORN_CMD_ARGS,
        WEB_CONCURRENCY: process.env.WEB_CONCURRENCY,
        TMPDIR: process.env.TMPDIR,
      },
      argv: rest,
      profile: matchingProfile(loadProfile(args.profile, cwd).profile, rest, cwd),
      mountinfo: readMountInfo(),
      inContainer: inContainer(),
    };
    const dir = effectiveConfig(input).worker_tmp_dir?.value ?? "/tmp";
    const candidates = heartbeatDirFacts();
    input.heartbeatDirs = candidates.some((f) => f.dir === dir)
      ? candidates
      : [heartbeatDirFact(dir, input.mountinfo), ...candidates];
    const report = diagnose(input);
    process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : renderDoctor(report));
    if (report.findings.some((f) => f.severity === "error")) process.exitCode = EXIT.doctorErrors;
  },
});
