/**
 * systemd notifications against a fake NOTIFY_SOCKET that reads the sender's credentials as systemd
 * does: the real systemd-notify sends them, with gwarden's pid (root here, so NotifyAccess=main holds);
 * then `gwarden run` on the example app: READY=1 once a worker is ready, WATCHDOG=1 while it runs,
 * STOPPING=1 on SIGTERM, and never gunicorn's own READY=1.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createSdNotifier, findSystemdNotify } from "../../src/adapters/run/sd-notify.js";
import { startFakeNotifySocket, type FakeNotifySocket } from "../helpers/fake-notify-socket.js";
import { gunicornReleases } from "../helpers/gunicorns.js";
import { MiB, startRun, type GwardenRun } from "./run-harness.js";

const open: { socket?: FakeNotifySocket; run?: GwardenRun } = {};
afterEach(async () => {
  await open.run?.close();
  open.socket?.close();
  delete open.run;
  delete open.socket;
});

describe.skipIf(findSystemdNotify() === null)("sd_notify through systemd-notify", () => {
  it.each([
    ["a socket path", false],
    ["an abstract socket (@name)", true],
  ])("delivers READY, WATCHDOG and STOPPING to %s with gwarden's pid", async (_label, abstract) => {
    const socket = (open.socket = await startFakeNotifySocket({ abstract }));
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      NOTIFY_SOCKET: socket.address,
      WATCHDOG_USEC: "4000000",
      WATCHDOG_PID: String(process.pid),
    };
    const errors: string[] = [];
    const sd = createSdNotifier({ env, onError: (m) => errors.push(m) });
    expect(sd).not.toBeNull();
    expect(sd!.watchdogIntervalMs).toBe(2000);
    // Children of gwarden (gunicorn first) must not inherit the protocol's variables.
    expect(env).toEqual({ PATH: process.env.PATH });

    sd!.notify("READY=1");
    const ready = await socket.next((m) => m.fields.READY === "1");
    sd!.notify("WATCHDOG=1");
    const ping = await socket.next((m) => m.fields.WATCHDOG === "1");
    sd!.notify("STOPPING=1");
    const stopping = await socket.next((m) => m.fields.STOPPING === "1");
    // As root systemd-notify sends with its parent's pid: the unit's main pid, so NotifyAccess=main accepts them.
    if (process.getuid?.() === 0) for (const m of [ready, ping, stopping]) expect(m.pid).toBe(process.pid);
    // A ping while the previous one is still being delivered is skipped: a stuck manager gets no pile of processes.
    sd!.notify("WATCHDOG=1");
    sd!.notify("WATCHDOG=1");
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(socket.messages().filter((m) => m.fields.WATCHDOG === "1")).toHaveLength(2);
    expect(errors).toEqual([]);
  });

  it("is off without NOTIFY_SOCKET, and says so when systemd-notify is missing", () => {
    expect(createSdNotifier({ env: { WATCHDOG_USEC: "1000000" } })).toBeNull();
    const errors: string[] = [];
    expect(
      createSdNotifier({
        env: { NOTIFY_SOCKET: "/run/systemd/notify" },
        command: null,
        onError: (m) => errors.push(m),
      }),
    ).toBeNull();
    expect(errors.join("\n")).toMatch(/systemd-notify is not installed.*Type=exec/);
  });

  it("gwarden run: READY=1 once a worker is ready, watchdog pings, STOPPING=1 on SIGTERM, never gunicorn's own READY", async () => {
    const release = gunicornReleases()[0]!;
    const socket = (open.socket = await startFakeNotifySocket());
    const run = (open.run = await startRun({
      release,
      memoryBytes: 512 * MiB,
      env: { NOTIFY_SOCKET: socket.address, WATCHDOG_USEC: "1000000" },
    }));
    await socket.next((m) => m.fields.READY === "1", 60_000);
    // Sent from the hook record that made a worker ready, so /healthz already says so.
    expect((await run.api("/healthz")).status).toBe(200);
    await socket.next(
      (m) =>
        m.fields.WATCHDOG === "1" && socket.messages().filter((x) => x.fields.WATCHDOG === "1").length >= 2,
      10_000,
    );
    run.child.kill("SIGTERM");
    await socket.next((m) => m.fields.STOPPING === "1", 30_000);
    expect((await run.exited).code).toBe(0);

    const messages = socket.messages();
    expect(messages.some((m) => m.raw.includes("Gunicorn arbiter booted"))).toBe(false);
    const senders = new Set(messages.filter((m) => !("BARRIER" in m.fields)).map((m) => m.pid));
    expect([...senders]).toEqual([run.child.pid]);
    expect(messages.filter((m) => m.fields.READY === "1")).toHaveLength(1);
  });
});
