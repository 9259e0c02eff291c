/** The plan as a Kubernetes container fragment (YAML written by hand: no dependency). */
import type { Plan } from "../plan/types.js";
import { planEnv } from "./emit-env.js";
import { parseGunicornArgv } from "../argv/gunicorn-argv.js";

/** Memory in whole Mi, rounded up (a limit below the planned one would be wrong the other way). */
export function k8sMemory(bytes: number): string {
  return `${Math.ceil(bytes / 1048576)}Mi`;
}

/** CPUs as Kubernetes writes them: `1`, `2`, `500m`. */
export function k8sCpu(cpus: number): string {
  return Number.isInteger(cpus) ? String(cpus) : `${Math.max(1, Math.round(cpus * 1000))}m`;
}

/** The app's command without the sizing flags the plan sets through GUNICORN_CMD_ARGS. */
export function commandWithoutSizing(argv: readonly string[]): string[] {
  const c = parseGunicornArgv(argv);
  const kept: string[] = [...c.launcher];
  if (c.spec !== null) kept.push(c.spec);
  for (const m of c.managed) {
    if (m.name === "bind" || m.name === "config") kept.push(m.flag, ...(m.value === null ? [] : [m.value]));
  }
  return [...kept, ...c.args];
}

const q = (s: string): string => JSON.stringify(s);

/** A container entry: resources (requests = limits for memory: no eviction surprise), env, command. */
export function emitK8s(plan: Plan, appArgv: readonly string[] = []): string {
  const mem = k8sMemory(plan.inputs.memoryBytes);
  const cpu = k8sCpu(plan.inputs.cpus);
  const lines = [
    "# gwarden plan: container fragment for a pod spec (merge into your Deployment).",
    `# Sized for ${mem} and ${cpu} CPU: ${plan.workers} worker(s) × ${plan.threads} thread(s), ${plan.workerClass}.`,
    `# Pod level: terminationGracePeriodSeconds: ${Math.max(30, plan.gracefulTimeout + 5)} (graceful_timeout is ${plan.gracefulTimeout} s).`,
    "name: web",
  ];
  if (appArgv.length > 0) {
    lines.push(
      "# Sizing flags (-w, --timeout, ...) are left out: on the command line they would beat GUNICORN_CMD_ARGS.",
    );
    lines.push(`command: [${commandWithoutSizing(appArgv).map(q).join(", ")}]`);
  } else {
    lines.push(
      '# command: ["gunicorn", "<module>:<app>", "--bind", "0.0.0.0:8000"]  (no -w/--timeout: they would beat GUNICORN_CMD_ARGS)',
    );
  }
  lines.push(
    "resources:",
    "  requests:",
    `    memory: ${q(mem)}`,
    `    cpu: ${q(cpu)}`,
    "  limits:",
    `    memory: ${q(mem)}`,
    `    cpu: ${q(cpu)}`,
    "env:",
  );
  for (const v of planEnv(plan)) {
    lines.push(`  # ${v.comment}`, `  - name: ${v.name}`, `    value: ${q(v.value)}`);
  }
  return `${lines.join("\n")}\n`;
}
