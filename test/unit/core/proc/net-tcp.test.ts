import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { TCP_LISTEN, decodeAddress, listenBacklog, parseNetTcp } from "../../../../src/core/proc/net-tcp.js";
import { procFixture } from "./fixture.js";

const tcp = procFixture("gunicorn-2-workers", "net", "tcp");
const tcp6 = procFixture("gunicorn-2-workers", "net", "tcp6");

describe("parseNetTcp", () => {
  it("reads the captured listeners of gunicorn with connections waiting", () => {
    const listeners = parseNetTcp(tcp).filter((s) => s.state === TCP_LISTEN && s.localPort === 18777);
    expect(listeners).toEqual([
      expect.objectContaining({
        localAddress: "127.0.0.1",
        remoteAddress: "0.0.0.0",
        rxQueue: 8,
        txQueue: 0,
      }),
    ]);
    const listeners6 = parseNetTcp(tcp6).filter((s) => s.state === TCP_LISTEN);
    expect(listeners6).toEqual([
      expect.objectContaining({ localAddress: "::1", localPort: 18778, rxQueue: 4, remoteAddress: "::" }),
    ]);
  });

  it("skips the header and junk, never throws", () => {
    expect(parseNetTcp("  sl  local_address rem_address   st tx_queue rx_queue\nnonsense\n")).toEqual([]);
    fc.assert(fc.property(fc.string(), (text) => void parseNetTcp(text)));
  });
});

describe("listenBacklog", () => {
  it("sums the accept queue of the listeners on the ports over tcp and tcp6", () => {
    expect(listenBacklog([tcp, tcp6], [18777, 18778])).toEqual({ queued: 12, max: null, listeners: 2 });
    expect(listenBacklog([tcp], [18777])).toEqual({ queued: 8, max: null, listeners: 1 });
    expect(listenBacklog([tcp, tcp6], [1])).toEqual({ queued: 0, max: null, listeners: 0 });
  });

  it("takes the limit from tx_queue when the kernel reports it, and ignores established sockets", () => {
    const text = [
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
      "   0: 00000000:1F90 00000000:0000 0A 00000800:00000002 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0",
      "   1: 0100007F:1F90 0100007F:AF3A 01 00000000:0000001B 00:00000000 00000000     0        0 0 1 0 20 4 30 10 -1",
    ].join("\n");
    expect(listenBacklog([text], [8080])).toEqual({ queued: 2, max: 2048, listeners: 1 });
  });

  it("finds a generated listener on any port with any queue", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 65535 }), fc.nat(0xffff), fc.nat(0xffff), (port, rx, other) => {
        const hex = (n: number, w: number) => n.toString(16).toUpperCase().padStart(w, "0");
        const line = (p: number, st: string, q: number) =>
          `   0: 00000000:${hex(p, 4)} 00000000:0000 ${st} 00000000:${hex(q, 8)} 00:00000000 00000000 0 0 7 1 0 100 0 0 10 0`;
        const otherPort = port === 65535 ? 1 : port + 1;
        const text = [line(port, "0A", rx), line(otherPort, "0A", other), line(port, "01", other)].join("\n");
        expect(listenBacklog([text], [port])).toEqual({ queued: rx, max: null, listeners: 1 });
      }),
    );
  });
});

describe("decodeAddress", () => {
  it("decodes IPv4 and IPv6 in host byte order", () => {
    expect(decodeAddress("0100007F")).toBe("127.0.0.1");
    expect(decodeAddress("00000000000000000000000001000000")).toBe("::1");
    expect(decodeAddress("00000000000000000000000000000000")).toBe("::");
    expect(decodeAddress("0000000000000000FFFF00000100007F")).toBe("::ffff:7f00:1");
    expect(decodeAddress("B80D0120000000000000000001000000")).toBe("2001:db8::1");
  });
});
