/**
 * The lab's real profile: `gwarden profile` run as a child process (the same CLI, so the lab measures
 * exactly what users' `profile` measures), its output file read back (validated, as every profile).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { GwardenError } from "../../core/error.js";
import type { Profile } from "../../core/profile/types.js";
import { renderRequestFile, type RequestSpec } from "../../core/profile/request-spec.js";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { selfCommand } from "../platform/self.js";
import { readProfileFile } from "../profile/profile-file.js";

/**
 * Runs `gwarden profile --out <out> --requests <out>.http -- <command>` (the lab's requests written as a
 * request list beside the profile); its progress goes to our stderr.
 */
export async function profileApp(options: {
  out: string;
  requests: RequestSpec[];
  command: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  onStart?: (child: ChildProcess) => void;
}): Promise<Profile> {
  const list = `${options.out.replace(/\.json$/, "")}.requests.http`;
  mkdirSync(dirname(list), { recursive: true });
  writeFileSync(list, renderRequestFile(options.requests));
  const [, ...self] = selfCommand();
  const args = [...self, "profile", "--out", options.out, "--requests", list, "--", ...options.command];
  const child = spawn(process.execPath, args, {
    env: options.env,
    cwd: options.cwd,
    stdio: ["ignore", "ignore", "pipe"],
  });
  options.onStart?.(child);
  let tail = "";
  child.stderr.setEncoding("utf8").on("data", (text: string) => {
    tail = (tail + text).slice(-4000);
    process.stderr.write(text);
  });
  const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
  if (code !== 0) {
    throw new GwardenError(
      "E_PROFILE",
      `gwarden profile failed (exit ${code}): ${tail.trim().split("\n").slice(-3).join(" / ")}`,
      {
        hint: "run `gwarden profile -- <the same command>` to see why, or pass --profile FILE",
      },
    );
  }
  return readProfileFile(options.out);
}
