/**
 * The Python channel writer of the rendered config, run by Debian's Python without a server: it must
 * never block, never raise, and only use a pipe or a connected unix socket.
 */
import { describe, expect, it } from "vitest";
import { renderGunicornConf } from "../../../../src/core/conf/render.js";
import { runWithConf } from "./python-check.js";

const conf = renderGunicornConf({
  settings: {},
  gcFreeze: false,
  userConfig: null,
  comments: [],
  requestHooks: false,
});

describe("the channel writer", () => {
  it("never blocks on a full pipe, never raises on a closed fd, and hides the fd from exec", () => {
    const out = runWithConf(conf, [
      "import os, runpy, time",
      "r, w = os.pipe()",
      "os.set_inheritable(w, True)",
      "os.environ['GWARDEN_EVENT_FD'] = str(w)",
      "ns = runpy.run_path(CONF)",
      "assert ns['_GW_FD'] == w, ns['_GW_FD']",
      "assert not os.get_inheritable(w)",
      "assert not os.get_blocking(w)",
      "start = time.monotonic()",
      "for i in range(20000): ns['_gw_emit']('on_exit')  # the pipe is full after ~600 lines",
      "elapsed = time.monotonic() - start",
      "first = os.read(r, 65536).split(b'\\n')[0]",
      "os.close(w)",
      "ns['_gw_emit']('on_exit')  # EBADF",
      "os.close(r)",
      "print(elapsed < 5, first.decode())",
    ]);
    const [fast, line] = out.trim().split(" ");
    expect(fast).toBe("True");
    expect(JSON.parse(line!)).toMatchObject({ hook: "on_exit", pid: expect.any(Number) as number });
  });

  it("ignores a GWARDEN_EVENT_FD that is not a pipe or a connected socket", () => {
    const out = runWithConf(conf, [
      "import os, runpy, socket",
      "def fd_for(value):",
      "    os.environ['GWARDEN_EVENT_FD'] = str(value)",
      "    return runpy.run_path(CONF)['_GW_FD']",
      "results = [fd_for(v) for v in ['', 'x', '-1', '999']]",
      "results.append(fd_for(os.open(os.devnull, os.O_WRONLY)))",
      "listener = socket.socket(); listener.bind(('127.0.0.1', 0)); listener.listen()",
      "results.append(fd_for(listener.fileno()))",
      "a, b = socket.socketpair()",
      "results.append(fd_for(a.fileno()) == a.fileno())",
      "print(results)",
    ]);
    expect(out.trim()).toBe("[None, None, None, None, None, None, True]");
  });

  it("writes records that stay under PIPE_BUF, dropping extras when a record is too long", () => {
    const out = runWithConf(conf, [
      "import os, runpy",
      "r, w = os.pipe()",
      "os.environ['GWARDEN_EVENT_FD'] = str(w)",
      "ns = runpy.run_path(CONF)",
      "ns['_gw_emit']('when_ready', lambda: {'addresses': ['x' * 100] * 100, 'workerClass': 'sync'})",
      "line = os.read(r, 65536)",
      "print(len(line) < 4096, line.decode().strip())",
    ]);
    const [small, line] = out.trim().split(" ");
    expect(small).toBe("True");
    expect(JSON.parse(line!)).toMatchObject({ hook: "when_ready", truncated: true });
  });
});
