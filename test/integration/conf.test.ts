/**
 * The rendered gunicorn.conf.py against real gunicorn (every release in test/helpers/gunicorns.ts):
 * check-config, the user's settings and hooks kept, gwarden's settings winning, the channel's records
 * and their order through TTIN, SIGKILL, a worker timeout, HUP and SIGTERM, and no harm when nothing
 * listens.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hookStream } from "../../src/adapters/run/hook-channel.js";
import { renderGunicornConf } from "../../src/core/conf/render.js";
import { pythonRuntime } from "../../src/adapters/conf/python-runtime.js";
import { openWorkerStatsDir } from "../../src/adapters/run/worker-stats.js";
import type { ConfOptions } from "../../src/core/conf/types.js";
import { gunicornReleases } from "../helpers/gunicorns.js";
import { freePort, getText, of, readyPids, startGunicorn, stop, until, userConfig } from "./conf-harness.js";

const releases = gunicornReleases();

describe.each(releases.map((r) => [r.version, r] as const))(
  "gunicorn %s with the rendered conf",
  (version, release) => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), `gw-conf-${version}-`));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    function writeConf(
      name: string,
      options: Partial<ConfOptions> & { settings: ConfOptions["settings"] },
    ): string {
      const file = join(dir, name);
      const full: ConfOptions = {
        gcFreeze: false,
        userConfig: null,
        comments: ["test"],
        guard: null,
        runtime: pythonRuntime(),
        ...options,
      };
      writeFileSync(file, renderGunicornConf(full));
      return file;
    }

    it("passes --check-config, and --print-config shows the user's settings and gwarden's winning ones", async () => {
      const port = await freePort();
      const user = userConfig(dir, join(dir, "markers-check"), join(dir, "access-check.log"));
      for (const variant of [
        { name: "plain.conf.py", userConfig: null, gcFreeze: false, guard: null },
        {
          name: "with-user.conf.py",
          userConfig: user,
          gcFreeze: true,
          guard: { bytes: 1 << 27, explicit: false },
        },
      ]) {
        const conf = writeConf(variant.name, {
          ...variant,
          settings: { workers: 2, timeout: 20, bind: [`127.0.0.1:${port}`], preload_app: variant.gcFreeze },
        });
        const check = startGunicorn(release, conf, false, ["--check-config"]);
        expect(await check.exited, check.out()).toBe(0);
        const print = startGunicorn(release, conf, false, ["--print-config"]);
        expect(await print.exited, print.out()).toBe(0);
        const settings = new Map(
          print
            .out()
            .split("\n")
            .map((l) => /^(\w+)\s+= (.*)$/.exec(l))
            .filter((m) => m !== null)
            .map((m) => [m[1]!, m[2]!] as const),
        );
        expect(settings.get("workers")).toBe("2");
        expect(settings.get("timeout")).toBe("20");
        expect(settings.get("bind")).toBe(`['127.0.0.1:${port}']`);
        expect(settings.get("post_worker_init")).toMatch(/install\.<locals>\.post_worker_init/);
        if (variant.userConfig) {
          expect(settings.get("proc_name")).toBe("gw-user-proc");
          expect(settings.get("raw_env")).toContain("GWARDEN_TEST_RAW_ENV=from-user-config");
          expect(settings.get("pre_exec")).toMatch(/pre_exec/);
          expect(settings.get("pre_exec")).not.toMatch(/install\.<locals>/);
        }
      }
    });

    it("keeps the user's settings and hooks and reports the whole lifecycle in order on the channel", async () => {
      const port = await freePort();
      const markers = join(dir, "markers");
      const accesslog = join(dir, "access.log");
      const conf = writeConf("life.conf.py", {
        userConfig: userConfig(dir, markers, accesslog),
        settings: {
          workers: 2,
          timeout: 20,
          graceful_timeout: 5,
          bind: [`127.0.0.1:${port}`],
          loglevel: "info",
        },
      });
      const run = startGunicorn(release, conf, true);
      try {
        await until("two ready workers", () => readyPids(run.records).length >= 2);
        const records = run.records;
        expect(records.findIndex((r) => r.hook === "on_starting")).toBeLessThan(
          records.findIndex((r) => r.hook === "when_ready"),
        );
        expect(of(records, "on_starting")[0]!.version).toBe(version);
        const ready = of(records, "when_ready")[0]!;
        expect(ready.addresses).toEqual([`http://127.0.0.1:${port}`]);
        expect(ready.workerClass).toBe("sync");
        expect(of(records, "nworkers_changed")[0]).toMatchObject({ new: 2, old: null });
        const master = ready.pid;

        // The user's settings are in effect: raw_env reaches the app, accesslog is written.
        const body = await getText(`http://127.0.0.1:${port}/env`);
        expect(body.trim()).toBe("from-user-config");
        await until(
          "access log line",
          () => existsSync(accesslog) && readFileSync(accesslog, "utf8").includes("/env"),
        );

        // TTIN: nworkers_changed(3, 2), then a third worker forks and becomes ready.
        run.child.kill("SIGTTIN");
        await until("nworkers_changed 3", () =>
          of(run.records, "nworkers_changed").find((r) => r.new === 3 && r.old === 2),
        );
        await until("third ready worker", () => readyPids(run.records).length >= 3);

        // SIGKILL one worker: child_exit for it with signal 9, then a replacement becomes ready.
        const victim = readyPids(run.records)[0]!;
        process.kill(victim, "SIGKILL");
        const exit = await until("child_exit of the killed worker", () =>
          of(run.records, "child_exit").find((r) => r.worker === victim),
        );
        expect(exit).toMatchObject({ pid: master, status: 9, signal: 9, exitcode: null });
        await until("replacement worker", () => readyPids(run.records).length >= 4);

        for (const pid of readyPids(run.records)) {
          const fork = run.records.findIndex((r) => r.hook === "post_fork" && r.pid === pid);
          const init = run.records.findIndex((r) => r.hook === "post_worker_init" && r.pid === pid);
          expect(fork, `post_fork of ${pid}`).toBeGreaterThanOrEqual(0);
          expect(fork).toBeLessThan(init);
          expect(run.records[fork]!.worker).toBe(pid);
          expect(run.records[init]!.ppid).toBe(master);
        }

        // SIGTERM: every live worker exits (worker_exit then child_exit), then on_exit.
        const live = readyPids(run.records).filter((pid) => pid !== victim);
        expect(await stop(run)).toBe(0);
        await until("channel drained", () => of(run.records, "on_exit").length === 1);
        for (const pid of live) {
          expect(
            of(run.records, "worker_exit").map((r) => r.worker),
            `worker_exit ${pid}`,
          ).toContain(pid);
          expect(
            of(run.records, "child_exit").map((r) => r.worker),
            `child_exit ${pid}`,
          ).toContain(pid);
        }
        expect(run.records.at(-1)!.hook).toBe("on_exit");
        for (const r of of(run.records, "child_exit").filter((r) => r.worker !== victim)) {
          expect(r.status === 0 || r.signal === 15, JSON.stringify(r)).toBe(true);
        }

        // The user's hooks all ran, each for the right process.
        const marks = readFileSync(markers, "utf8").split("\n");
        expect(marks).toContain(`when_ready ${master}`);
        for (const pid of readyPids(run.records)) {
          expect(marks).toContain(`post_fork ${pid}`);
          expect(marks).toContain(`post_worker_init ${pid}`);
        }
        expect(marks).toContain(`child_exit ${victim}`);
        for (const pid of live) expect(marks).toContain(`worker_exit ${pid}`);

        // Nothing from the hooks on gunicorn's own output, and no junk on the channel.
        expect(run.out()).not.toMatch(/"hook"|_gw_|Traceback/);
        expect(run.out()).toMatch(/Booting worker/);
        expect(run.junk).toEqual([]);
      } finally {
        await stop(run);
      }
    });

    it("worker_int on SIGQUIT to a worker; its child_exit follows and a replacement boots", async () => {
      const port = await freePort();
      const conf = writeConf("int.conf.py", { settings: { workers: 1, bind: [`127.0.0.1:${port}`] } });
      const run = startGunicorn(release, conf, true);
      try {
        await until("ready worker", () => readyPids(run.records).length >= 1);
        const worker = readyPids(run.records)[0]!;
        process.kill(worker, "SIGQUIT");
        expect(await until("worker_int", () => of(run.records, "worker_int")[0])).toMatchObject({
          pid: worker,
        });
        await until("child_exit", () => of(run.records, "child_exit").find((r) => r.worker === worker));
        await until("replacement", () => readyPids(run.records).length >= 2);
      } finally {
        await stop(run);
      }
    });

    it("request counters in shared memory: busy slots of a gthread worker, chained to the user's 2-argument post_request", async () => {
      const port = await freePort();
      const markers = join(dir, "markers-req");
      const user = join(dir, "req-user.conf.py");
      writeFileSync(
        user,
        [
          `M = ${JSON.stringify(markers)}`,
          "def pre_request(worker, req): open(M, 'a').write('pre %s\\n' % req.path)",
          "def post_request(worker, req): open(M, 'a').write('post %s\\n' % req.path)",
          "",
        ].join("\n"),
      );
      const conf = writeConf("req.conf.py", {
        userConfig: user,
        settings: { workers: 1, threads: 4, worker_class: "gthread", bind: [`127.0.0.1:${port}`] },
      });
      const stats = openWorkerStatsDir();
      const run = startGunicorn(release, conf, true, [], stats.env);
      try {
        await until("ready worker", () => readyPids(run.records).length >= 1);
        const worker = readyPids(run.records)[0]!;
        const url = `http://127.0.0.1:${port}/sleep?s=1.5`;
        const answers = Promise.all([getText(url), getText(url), getText(url)]);
        const busy = await until("three requests in flight", () => {
          const s = stats.read([worker]).get(worker);
          return s !== undefined && s.inFlight === 3 ? s : undefined;
        });
        expect(busy).toMatchObject({ pid: worker, ready: true, slots: 4, requests: 0, guard: false });
        expect(busy.oldestStart).toBeGreaterThan(Date.now() / 1000 - 10);
        expect(await answers).toEqual(["slept\n", "slept\n", "slept\n"]);
        const after = await until("three served", () => {
          const s = stats.read([worker]).get(worker);
          return s !== undefined && s.requests === 3 ? s : undefined;
        });
        expect(after).toMatchObject({ inFlight: 0, oldestStart: null });
        expect(after.lastEnd).toBeGreaterThanOrEqual(busy.oldestStart!);
        // Nothing per request on the channel any more.
        const hooks = run.records.map((r) => r.hook as string);
        expect(hooks).not.toContain("pre_request");
        expect(hooks).not.toContain("post_request");
        const marks = readFileSync(markers, "utf8").trim().split("\n");
        expect(marks.filter((m) => m === "pre /sleep")).toHaveLength(3);
        expect(marks.filter((m) => m === "post /sleep")).toHaveLength(3);
        // The worker's file goes with the worker.
        expect(await stop(run)).toBe(0);
        expect(stats.read().size).toBe(0);
      } finally {
        await stop(run);
        stats.close();
      }
    });

    it("reports worker_abort when a sync worker times out in a request", async () => {
      const port = await freePort();
      const conf = writeConf("abort.conf.py", {
        settings: { workers: 1, timeout: 2, bind: [`127.0.0.1:${port}`] },
      });
      const run = startGunicorn(release, conf, true);
      try {
        await until("ready worker", () => readyPids(run.records).length >= 1);
        const worker = readyPids(run.records)[0]!;
        const slow = fetch(`http://127.0.0.1:${port}/sleep?s=8`).catch(() => null);
        const abort = await until("worker_abort", () => of(run.records, "worker_abort")[0], 15_000);
        expect(abort.pid).toBe(worker);
        await until("child_exit of the aborted worker", () =>
          of(run.records, "child_exit").find((r) => r.worker === worker),
        );
        await until("replacement", () => readyPids(run.records).length >= 2);
        await slow;
        expect(run.out()).toMatch(/WORKER TIMEOUT/);
      } finally {
        await stop(run);
      }
    });

    it("records a user hook that raises and leaves gunicorn's reaction to it unchanged", async () => {
      const port = await freePort();
      const user = join(dir, "raising.conf.py");
      writeFileSync(user, "def post_fork(server, worker):\n    raise ValueError('user hook failed')\n");
      const conf = writeConf("raise.conf.py", {
        userConfig: user,
        settings: { workers: 1, bind: [`127.0.0.1:${port}`] },
      });
      const run = startGunicorn(release, conf, true);
      const code = await run.exited;
      await until("on_exit", () => of(run.records, "on_exit")[0]);
      expect(code).not.toBe(0);
      expect(of(run.records, "post_fork")[0]).toMatchObject({ userHookError: "ValueError" });
      expect(of(run.records, "post_worker_init")).toEqual([]);
      expect(run.out()).toMatch(/ValueError: user hook failed/);
    });

    it("with gcFreeze and preload: workers run with gc enabled and the master's objects frozen", async () => {
      const port = await freePort();
      const conf = writeConf("freeze.conf.py", {
        gcFreeze: true,
        settings: { workers: 1, preload_app: true, bind: [`127.0.0.1:${port}`] },
      });
      const run = startGunicorn(release, conf, true);
      try {
        await until("ready worker", () => readyPids(run.records).length >= 1);
        const state = await getText(`http://127.0.0.1:${port}/gc`);
        expect(state).toMatch(/^enabled=True frozen=[1-9]\d*\n$/);
      } finally {
        await stop(run);
      }
    });

    it("HUP: on_reload, the user config is executed again, and the channel keeps working", async () => {
      const port = await freePort();
      const markers = join(dir, "markers-hup");
      const conf = writeConf("hup.conf.py", {
        userConfig: userConfig(dir, markers, join(dir, "access-hup.log")),
        settings: { workers: 1, bind: [`127.0.0.1:${port}`] },
      });
      const run = startGunicorn(release, conf, true);
      try {
        await until("ready worker", () => readyPids(run.records).length >= 1);
        run.child.kill("SIGHUP");
        await until("on_reload", () => of(run.records, "on_reload")[0]);
        await until("new generation ready", () => readyPids(run.records).length >= 2);
        await until("old worker gone", () => of(run.records, "child_exit").length >= 1);
        expect(await stop(run)).toBe(0);
        const master = of(run.records, "when_ready")[0]!.pid;
        expect(
          readFileSync(markers, "utf8")
            .split("\n")
            .filter((l) => l === `loaded ${master}`),
        ).toHaveLength(2);
      } finally {
        await stop(run);
      }
    });

    it("runs without harm when GWARDEN_EVENT_FD is unset", async () => {
      const port = await freePort();
      const conf = writeConf("nochannel.conf.py", {
        gcFreeze: true,
        guard: { bytes: 1 << 27, explicit: false },
        settings: { workers: 2, bind: [`127.0.0.1:${port}`], preload_app: true },
      });
      const run = startGunicorn(release, conf, false);
      try {
        expect(await getText(`http://127.0.0.1:${port}/`)).toBe("hello\n");
        expect(await stop(run)).toBe(0);
        expect(run.out()).not.toMatch(/Traceback|"hook"/);
      } finally {
        await stop(run);
      }
    });

    it("survives a reader that closes the channel early (requests, TTIN and stop still work)", async () => {
      const port = await freePort();
      const conf = writeConf("closed.conf.py", {
        guard: { bytes: 1 << 27, explicit: false },
        settings: { workers: 1, bind: [`127.0.0.1:${port}`] },
      });
      const run = startGunicorn(release, conf, true);
      try {
        await until("first record", () => run.records.length >= 1);
        hookStream(run.child)!.destroy();
        await until("booted", () => (/Booting worker/.test(run.out()) ? true : undefined));
        for (let i = 0; i < 5; i++) expect(await getText(`http://127.0.0.1:${port}/`)).toBe("hello\n");
        run.child.kill("SIGTTIN");
        await until("second worker", () =>
          (run.out().match(/Booting worker/g) ?? []).length >= 2 ? true : undefined,
        );
        expect(await stop(run)).toBe(0);
        expect(run.out()).not.toMatch(/Traceback|"hook"|BrokenPipe/);
      } finally {
        await stop(run);
      }
    });
  },
);
