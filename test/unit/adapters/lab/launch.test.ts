import { describe, expect, it } from "vitest";
import {
  launchFor,
  planAt,
  withDatabaseUrl,
  type LaunchContext,
} from "../../../../src/adapters/lab/launch.js";
import type { LabInstanceSpec } from "../../../../src/core/lab/types.js";
import { MiB, slProfile } from "../../core/plan/fixtures.js";

const template = { bin: "/usr/lib/postgresql/15/bin", dir: "/tmp/template", remove: () => undefined };

function context(overrides: Partial<LaunchContext> = {}): LaunchContext {
  return {
    launcher: ["/usr/bin/gunicorn"],
    appArgs: ["--chdir", "example", "app:app"],
    userConfig: null,
    env: { APP_DB: "/tmp/{instance}.sqlite" },
    cwd: "/srv",
    cpus: 1,
    profile: slProfile(true),
    profilePath: "/out/profile.json",
    eventsDir: "/out/gwarden-run",
    postgres: null,
    gunicornVersion: "20.1.0",
    ...overrides,
  };
}

function spec(kind: "planned" | "default", tierMiB = 256): LabInstanceSpec {
  const config =
    kind === "planned"
      ? { name: "planned", kind, workers: 1, threads: 4, preload: false, flags: [], label: "1×4 gthread" }
      : {
          name: "default",
          kind,
          workers: 3,
          threads: 1,
          preload: false,
          flags: ["-w", "3", "-t", "30"],
          label: "3×1 sync",
        };
  return { tierBytes: tierMiB * MiB, cpus: 1, config, scenarios: ["startup"], connections: 12, round: 1 };
}

describe("lab launches", () => {
  it("runs the planned config as `gwarden run` with the lab's profile and its own event log, and no config of the lab's", () => {
    const launch = launchFor(context({ userConfig: "/srv/gunicorn.conf.py" }))(spec("planned"));
    expect(launch.launcher.slice(0, 3)).toEqual([process.execPath, expect.stringMatching(/cli\.js$/), "run"]);
    expect(launch.launcher).toEqual(
      expect.arrayContaining([
        "--profile",
        "/out/profile.json",
        "--events",
        "/out/gwarden-run/256M-planned.jsonl",
      ]),
    );
    expect(launch.launcher.slice(launch.launcher.indexOf("--"))).toEqual(["--", "/usr/bin/gunicorn"]);
    expect(launch.launcher).not.toContain("--db-on-box");
    expect(launch.conf).toBeNull();
    expect(launch.args).toEqual(["-c", "/srv/gunicorn.conf.py", "--chdir", "example", "app:app"]);
    expect(launch.env).toEqual({ APP_DB: "/tmp/256M-planned.sqlite" });
    expect(launch.database).toBeNull();
  });

  it("runs the default config as plain gunicorn with its flags and an instrument-only config", () => {
    const launch = launchFor(context())(spec("default", 512));
    expect(launch.launcher).toEqual(["/usr/bin/gunicorn"]);
    expect(launch.args).toEqual(["-w", "3", "-t", "30", "--chdir", "example", "app:app"]);
    expect(launch.conf).toContain("gwarden lab: default");
    expect(launch.env).toEqual({ APP_DB: "/tmp/512M-default.sqlite" });
  });

  it("with a database on the box: the planned server gets the plan's settings and run plans for it; the default one PostgreSQL's own", () => {
    const ctx = context({ postgres: template });
    const planned = launchFor(ctx)(spec("planned"));
    expect(planned.launcher).toContain("--db-on-box");
    const plan = planAt(ctx, 256 * MiB);
    expect(plan.database.postgres).not.toBeNull();
    expect(planned.database).toEqual({ template, settings: plan.database.postgres });
    expect(launchFor(ctx)(spec("default")).database).toEqual({ template, settings: null });
    // Counting PostgreSQL leaves less for the app than the same tier without it.
    expect(plan.memory.databaseBytes).toBeGreaterThan(0);
    expect(planAt(context(), 256 * MiB).memory.databaseBytes).toBe(0);
  });

  it("plans with the lab's planning flags and passes them to the planned `gwarden run`", () => {
    const planning = { lowMemory: true, allowThreads: false, postgresMaxConnections: 50 };
    const launcher = launchFor(context({ planning }))(spec("planned")).launcher;
    expect(launcher.slice(0, launcher.indexOf("--"))).toEqual(
      expect.arrayContaining(["--low-memory", "--no-threads", "--max-connections", "50"]),
    );
    expect(planAt(context({ planning }), 512 * MiB).threads).toBe(1);
    expect(planAt(context({ planning }), 512 * MiB).inputs.lowMemory).toBe(true);
  });

  it("hands the database URL to the app as DATABASE_URL, or wherever {database_url} is asked for", () => {
    const url = "postgresql://postgres@127.0.0.1:5999/postgres";
    expect(withDatabaseUrl({ A: "1" }, url)).toEqual({ A: "1", DATABASE_URL: url });
    expect(withDatabaseUrl({ SQLALCHEMY_URL: "{database_url}?sslmode=disable" }, url)).toEqual({
      SQLALCHEMY_URL: `${url}?sslmode=disable`,
    });
  });
});
