/**
 * The deployment examples, checked without a Docker engine or a cluster (there is none here): the YAML
 * parses (Debian's python3-yaml); the Kubernetes pods carry what `gwarden plan --format k8s` prints for
 * the profile they name; the compose example's ENTRYPOINT + CMD, run as they are (gwarden as the built
 * CLI, the example app for SimpleLogin's `wsgi:app`, loopback ports), come up healthy with SimpleLogin's
 * `-w 2 --timeout 15` replaced by the plan; the systemd unit passes `systemd-analyze verify`.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { freePort } from "../../src/adapters/http/free-port.js";
import { exampleDir, repoRoot, systemPython } from "../helpers/gunicorns.js";
import { fetchText, until } from "./run-harness.js";

const cli = join(repoRoot, "dist", "cli.js");
const docs = join(repoRoot, "docs");

/** A YAML file as plain data (python3-yaml's safe_load, through JSON). */
function yaml<T>(path: string): T {
  return JSON.parse(
    execFileSync(
      systemPython,
      ["-c", "import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))"],
      { input: readFileSync(path), encoding: "utf8" },
    ),
  ) as T;
}

interface Container {
  command: string[];
  resources: unknown;
  env?: { name: string; value: string }[];
  ports: { name: string; containerPort: number }[];
  volumeMounts?: { mountPath: string }[];
  readinessProbe: { httpGet: { path: string; port: string } };
  startupProbe?: { httpGet: { path: string; port: string } };
}
interface Pod {
  spec: { terminationGracePeriodSeconds: number; containers: Container[] };
}
interface ComposeApp {
  build: string;
  init: boolean;
  mem_limit: string;
  stop_grace_period: string;
  healthcheck: { test: string[] };
}

describe("docs/kubernetes", () => {
  const planArgs = [
    "plan",
    "--profile",
    join(docs, "results", "full", "profile.json"),
    "--memory",
    "512M",
    "--cpus",
    "1",
  ];
  const fragmentPath = join(mkdtempSync(join(tmpdir(), "gwarden-k8s-")), "fragment.yaml");

  it("pods carry the resources (and, without gwarden, the env) that `gwarden plan --format k8s` prints for the profile", () => {
    writeFileSync(
      fragmentPath,
      execFileSync(process.execPath, [cli, ...planArgs, "--format", "k8s"], { encoding: "utf8" }),
    );
    const fragment = yaml<{ resources: unknown; env: { name: string; value: string }[] }>(fragmentPath);
    rmSync(join(fragmentPath, ".."), { recursive: true, force: true });
    const plan = JSON.parse(
      execFileSync(process.execPath, [cli, ...planArgs, "--json"], { encoding: "utf8" }),
    ) as { gracefulTimeout: number };

    const withGwarden = yaml<Pod>(join(docs, "kubernetes", "pod.yaml"));
    const web = withGwarden.spec.containers[0]!;
    expect(web.resources).toEqual(fragment.resources);
    expect(withGwarden.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(plan.gracefulTimeout + 5);
    // The probes ask gwarden's /healthz on the port it listens on; its --profile is the mounted ConfigMap.
    const listen = web.command[web.command.indexOf("--listen") + 1]!;
    const gwardenPort = web.ports.find((p) => p.name === "gwarden")!.containerPort;
    expect(listen).toBe(`0.0.0.0:${gwardenPort}`);
    for (const probe of [web.readinessProbe, web.startupProbe!])
      expect(probe.httpGet).toEqual({ path: "/healthz", port: "gwarden" });
    const profile = web.command[web.command.indexOf("--profile") + 1]!;
    expect(web.volumeMounts!.map((m) => `${m.mountPath}/profile.json`)).toContain(profile);

    const planOnly = yaml<Pod>(join(docs, "kubernetes", "pod-plan-only.yaml")).spec.containers[0]!;
    expect(planOnly.resources).toEqual(fragment.resources);
    expect(planOnly.env).toEqual(fragment.env);
    expect(planOnly.command.filter((a) => ["-w", "--workers", "-t", "--timeout"].includes(a))).toEqual([]);
  });
});

describe("docs/compose", () => {
  const dockerfile = readFileSync(join(docs, "compose", "Dockerfile"), "utf8");
  const instruction = (name: string): string[] =>
    JSON.parse(new RegExp(`^${name} (\\[.*\\])$`, "m").exec(dockerfile)![1]!) as string[];

  it("compose.yaml: the app is built with gwarden, an init, limits, a stop grace and a /healthz check on gwarden's address", () => {
    const app = yaml<{ services: { app: ComposeApp } }>(join(docs, "compose", "compose.yaml")).services.app;
    expect(app.build).toBe(".");
    expect(app.init).toBe(true);
    expect(app.mem_limit).toBe("512m");
    expect(Number.parseInt(app.stop_grace_period, 10)).toBeGreaterThanOrEqual(30);
    const listen = instruction("ENTRYPOINT")[instruction("ENTRYPOINT").indexOf("--listen") + 1];
    expect(app.healthcheck.test.join(" ")).toContain(`http://${listen}/healthz`);
    expect(dockerfile).toMatch(/^COPY gwarden \/usr\/local\/bin\/gwarden$/m);
  });

  it("the Dockerfile's ENTRYPOINT + CMD, run as they are, serve the app with SimpleLogin's -w and --timeout replaced", async () => {
    const [binary, ...entry] = instruction("ENTRYPOINT");
    expect(binary).toBe("/usr/local/bin/gwarden");
    const apiPort = await freePort();
    const appPort = await freePort();
    const argv = [...entry, ...instruction("CMD")]
      .map((a) =>
        a === "127.0.0.1:9191" ? `127.0.0.1:${apiPort}` : a === "0.0.0.0:7777" ? `127.0.0.1:${appPort}` : a,
      )
      .flatMap((a) => (a === "wsgi:app" ? ["--chdir", exampleDir, "app:app"] : [a]));
    const cwd = mkdtempSync(join(tmpdir(), "gwarden-compose-"));
    const child = spawn(process.execPath, [cli, ...argv], {
      cwd,
      env: { ...process.env, GWARDEN_EXAMPLE_DB: join(cwd, "app.sqlite") },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (t: string) => (stderr += t));
    try {
      await until("/healthz", async () => (await fetchText(apiPort, "/healthz")).status === 200, 60_000);
      expect((await fetchText(appPort, "/")).status).toBe(200);
      expect(stderr).toContain("replaced `-w 2` with workers = ");
      expect(stderr).toContain("replaced `--timeout 15` with timeout = ");
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      child.kill("SIGKILL");
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});

const analyze = spawnSync("systemd-analyze", ["--version"]).status === 0;

describe.skipIf(!analyze)("docs/systemd", () => {
  it("gwarden@.service passes systemd-analyze verify, as a Type=notify unit that stops gwarden alone", () => {
    const unit = readFileSync(join(docs, "systemd", "gwarden@.service"), "utf8");
    for (const line of ["Type=notify", "NotifyAccess=all", "KillMode=mixed", "WatchdogSec=60s"])
      expect(unit).toMatch(new RegExp(`^${line}$`, "m"));
    const dir = mkdtempSync(join(tmpdir(), "gwarden-unit-"));
    try {
      // verify checks that ExecStart's program exists: point it at one that does.
      const copy = join(dir, "gwarden@example.service");
      writeFileSync(copy, unit.replace("ExecStart=/usr/local/bin/gwarden", `ExecStart=${process.execPath}`));
      const r = spawnSync("systemd-analyze", ["verify", copy], { encoding: "utf8" });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
