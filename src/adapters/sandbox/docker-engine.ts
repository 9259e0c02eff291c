/** Whether a Docker engine answers here (`docker info`), for `lab --sandbox docker`. */
import { execFileSync } from "node:child_process";

/** True when `docker info` succeeds within 10 s. */
export function dockerEngineAvailable(): boolean {
  try {
    execFileSync("docker", ["info", "--format", "{{.ServerVersion}}"], { stdio: "ignore", timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}
