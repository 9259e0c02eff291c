/**
 * `run --listen 0.0.0.0:PORT` without a token used to serve /api/state and /metrics to the network with
 * no warning (issue 12): beyond loopback a token is required unless the user says the network is trusted.
 */
import { describe, expect, it } from "vitest";
import {
  checkListenAuth,
  isLoopbackHost,
  listeningLine,
  parseListen,
} from "../../../../src/core/serve/listen.js";

describe("checkListenAuth", () => {
  it.each(["127.0.0.1:9191", "9191", "localhost:9191", "[::1]:9191", "127.3.2.1:80"])(
    "serves %s without a token",
    (listen) => {
      expect(() => checkListenAuth(parseListen(listen), null, false)).not.toThrow();
    },
  );

  it.each(["0.0.0.0:9191", "[::]:9191", "10.0.0.5:9191", "web.internal:9191"])(
    "refuses %s without a token, naming the override",
    (listen) => {
      expect(() => checkListenAuth(parseListen(listen), null, false)).toThrow(
        expect.objectContaining({
          code: "E_USAGE",
          message: expect.stringMatching(
            /^Refusing to serve \/metrics, \/api\/state and the dashboard on .* without a token/,
          ),
          hint: expect.stringContaining("--allow-unauthenticated"),
        }),
      );
      expect(() => checkListenAuth(parseListen(listen), "", false)).toThrow();
      expect(() => checkListenAuth(parseListen(listen), "s3cret", false)).not.toThrow();
      expect(() => checkListenAuth(parseListen(listen), null, true)).not.toThrow();
    },
  );

  it("knows the loopback addresses", () => {
    expect(isLoopbackHost("::ffff:127.0.0.1")).toBe(true);
    expect(isLoopbackHost("128.0.0.1")).toBe(false);
  });
});

describe("listeningLine", () => {
  it("gives the dashboard's URL, with the token in its fragment when there is one", () => {
    expect(listeningLine("http://127.0.0.1:9191", null)).toBe(
      "serving http://127.0.0.1:9191/ (the dashboard), /metrics, /api/state, /api/events, /healthz",
    );
    expect(listeningLine("http://0.0.0.0:9191", "a b/c")).toBe(
      "serving http://0.0.0.0:9191/#token=a%20b%2Fc (the dashboard); /metrics, /api/state, /api/events need the bearer token, /healthz does not",
    );
  });
});
