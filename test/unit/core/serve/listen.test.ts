import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { formatListen, parseListen } from "../../../../src/core/serve/listen.js";
import { GwardenError } from "../../../../src/core/error.js";

describe("parseListen", () => {
  it("reads a port, host:port and [ipv6]:port", () => {
    expect(parseListen(9090)).toEqual({ host: "127.0.0.1", port: 9090 });
    expect(parseListen("9090")).toEqual({ host: "127.0.0.1", port: 9090 });
    expect(parseListen("0.0.0.0:80")).toEqual({ host: "0.0.0.0", port: 80 });
    expect(parseListen("localhost:0")).toEqual({ host: "localhost", port: 0 });
    expect(parseListen("[::1]:9090")).toEqual({ host: "::1", port: 9090 });
  });

  it("rejects bad values with E_USAGE naming the value", () => {
    for (const bad of ["", "abc", ":9090", "::1:9090", "1.2.3.4:", "1.2.3.4:70000", "[::1]", "9090 x"]) {
      const error = (() => {
        try {
          parseListen(bad);
        } catch (e) {
          return e;
        }
        return null;
      })();
      expect(error, bad).toBeInstanceOf(GwardenError);
      expect((error as GwardenError).code).toBe("E_USAGE");
    }
  });

  it("round-trips through formatListen", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.ipV4(), fc.constantFrom("::1", "::", "fe80::1", "localhost")),
        fc.integer({ min: 0, max: 65535 }),
        (host, port) => {
          expect(parseListen(formatListen({ host, port }))).toEqual({ host, port });
        },
      ),
    );
  });
});
