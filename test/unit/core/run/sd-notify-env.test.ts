import { describe, expect, it } from "vitest";
import { notifySetup } from "../../../../src/core/run/sd-notify-env.js";

describe("notifySetup", () => {
  it("is null without a service manager, or with a socket address systemd would not give", () => {
    expect(notifySetup({}, 42)).toBeNull();
    expect(notifySetup({ NOTIFY_SOCKET: "" }, 42)).toBeNull();
    expect(notifySetup({ NOTIFY_SOCKET: "relative/notify" }, 42)).toBeNull();
    expect(notifySetup({ NOTIFY_SOCKET: "@" }, 42)).toBeNull();
  });

  it("takes a path or an abstract name, without a watchdog unless WATCHDOG_USEC asks", () => {
    expect(notifySetup({ NOTIFY_SOCKET: "/run/systemd/notify" }, 42)).toEqual({
      socket: "/run/systemd/notify",
      watchdogIntervalMs: null,
    });
    expect(notifySetup({ NOTIFY_SOCKET: "@/org/freedesktop/systemd1/notify/123" }, 42)?.socket).toBe(
      "@/org/freedesktop/systemd1/notify/123",
    );
  });

  it("pings at half of WATCHDOG_USEC, only when WATCHDOG_PID is this process or unset", () => {
    const env = { NOTIFY_SOCKET: "/run/systemd/notify", WATCHDOG_USEC: "30000000" };
    expect(notifySetup(env, 42)?.watchdogIntervalMs).toBe(15_000);
    expect(notifySetup({ ...env, WATCHDOG_PID: "42" }, 42)?.watchdogIntervalMs).toBe(15_000);
    expect(notifySetup({ ...env, WATCHDOG_PID: "7" }, 42)?.watchdogIntervalMs).toBeNull();
    expect(notifySetup({ ...env, WATCHDOG_USEC: "0" }, 42)?.watchdogIntervalMs).toBeNull();
    expect(notifySetup({ ...env, WATCHDOG_USEC: "soon" }, 42)?.watchdogIntervalMs).toBeNull();
    expect(notifySetup({ ...env, WATCHDOG_USEC: "1000" }, 42)?.watchdogIntervalMs).toBe(1);
  });
});
