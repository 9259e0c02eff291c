import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  appIdentity,
  appMismatch,
  fnv1a64,
  resolvePosix,
} from "../../../../src/core/profile/app-identity.js";

describe("appIdentity", () => {
  it("resolves --chdir against the working directory and names the callable", () => {
    const id = appIdentity(["gunicorn", "--chdir", "example", "app:app"], "/work/main");
    expect(id.spec).toBe("app:app");
    expect(id.chdir).toBe("/work/main/example");
    expect(id.fingerprint).toMatch(/^[0-9a-f]{16}$/);
  });

  it("is the same app whatever the sizing flags, launcher or spelling of the directory", () => {
    const a = appIdentity(["gunicorn", "--chdir", "example", "app:app"], "/work/main");
    const b = appIdentity(
      [
        "/usr/bin/python3",
        "-m",
        "gunicorn",
        "-w",
        "3",
        "--preload",
        "--chdir=/work/main/example/",
        "app:app",
      ],
      "/tmp",
    );
    const c = appIdentity(["gunicorn", "app:app"], "/work/main/example");
    expect(b.fingerprint).toBe(a.fingerprint);
    expect(c.fingerprint).toBe(a.fingerprint);
  });

  it("is another app when the spec or the directory differs", () => {
    const a = appIdentity(["gunicorn", "--chdir", "example", "app:app"], "/work/main");
    expect(appIdentity(["gunicorn", "--chdir", "example", "wsgi:app"], "/work/main").fingerprint).not.toBe(
      a.fingerprint,
    );
    expect(appIdentity(["gunicorn", "--chdir", "other", "app:app"], "/work/main").fingerprint).not.toBe(
      a.fingerprint,
    );
  });

  it("does not depend on the working directory when --pythonpath or --chdir is absolute", () => {
    const byPath = (cwd: string) =>
      appIdentity(["gunicorn", "--pythonpath", "/srv/app", "wsgi:app"], cwd).fingerprint;
    expect(byPath("/")).toBe(byPath("/root"));
    expect(appIdentity(["gunicorn", "--pythonpath=/srv/app", "wsgi:app"], "/tmp").where).toBe("/srv/app");
    const byChdir = (cwd: string) => appIdentity(["gunicorn", "--chdir", "/srv/app", "wsgi:app"], cwd);
    expect(byChdir("/").fingerprint).toBe(byChdir("/root").fingerprint);
    // A relative --pythonpath is resolved against the directory gunicorn runs in.
    expect(appIdentity(["gunicorn", "--chdir", "/srv", "--pythonpath", "src,lib", "m:app"], "/x").where).toBe(
      "/srv/src,/srv/lib",
    );
  });

  it("keeps the fingerprint of profiles made before --pythonpath counted (spec + chdir)", () => {
    expect(appIdentity(["gunicorn", "--chdir", "example", "app:app"], "/work/main").fingerprint).toBe(
      fnv1a64("app:app\n/work/main/example"),
    );
  });

  it("makes gunicorn's default callable explicit", () => {
    expect(appIdentity(["gunicorn", "wsgi"], "/srv").spec).toBe("wsgi:application");
    expect(appIdentity(["gunicorn", "wsgi"], "/srv").fingerprint).toBe(
      appIdentity(["gunicorn", "wsgi:application"], "/srv").fingerprint,
    );
  });
});

describe("appMismatch", () => {
  const here = appIdentity(["gunicorn", "app:app"], "/srv/b");

  it("names the other app", () => {
    expect(appMismatch({ spec: "hello:app", chdir: null, where: "/srv/b" }, here)).toBe(
      "was measured on `hello:app`, not on `app:app`",
    );
  });

  it("says the directory differs, and which, when the app is the same", () => {
    expect(appMismatch({ spec: "app:app", chdir: null, where: "/srv/a" }, here)).toBe(
      "was measured on `app:app` imported from /srv/a, but this command imports it from /srv/b (give `--chdir /srv/a`, or run it there)",
    );
  });

  it("says the directory differs for a profile that did not record it", () => {
    expect(appMismatch({ spec: "app:app", chdir: "example" }, here)).toBe(
      "was measured on `app:app` imported from another directory than /srv/b (--chdir example then)",
    );
  });
});

describe("resolvePosix", () => {
  it("normalises . and .. and repeated slashes", () => {
    expect(resolvePosix("/a/b", "../c/./d//")).toBe("/a/c/d");
    expect(resolvePosix("/a", "/x/../y")).toBe("/y");
    expect(resolvePosix("/", "..")).toBe("/");
  });

  it("always gives an absolute path without dot segments", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom("a", "b", ".", "..", "")), (parts) => {
        const out = resolvePosix("/base", parts.join("/"));
        expect(out.startsWith("/")).toBe(true);
        expect(out.split("/").filter((p) => p === "." || p === "..")).toEqual([]);
      }),
    );
  });
});

describe("fnv1a64", () => {
  it("matches the reference values", () => {
    expect(fnv1a64("")).toBe("cbf29ce484222325");
    expect(fnv1a64("a")).toBe("af63dc4c8601ec8c");
  });
});
