/** The human report names each figure's source and shows the warnings (host fallback). */
import { expect, test } from "vitest";
import { join } from "node:path";
import { detect } from "../../../../src/core/resources/detect.js";
import { renderResources } from "../../../../src/core/resources/render.js";
import { rootedReader } from "../../../../src/adapters/resources/root-fs.js";
import { repoRoot } from "../../../helpers/gunicorns.js";

const fixture = (name: string): string => join(repoRoot, "test", "fixtures", "cgroup", name);

test("a limited v2 container: the limit with its file, cpu quota, cgroup PSI", () => {
  const text = renderResources(
    detect({ read: rootedReader(fixture("v2-private-cgroupns")), affinityCpus: 4 }),
  );
  expect(text).toMatch(/^cgroup v2 /);
  expect(text).toMatch(/memory limit\s+256 MiB\s+cgroup-v2 \/sys\/fs\/cgroup\/memory\.max/);
  expect(text).toMatch(/cpu quota\s+1 CPU\s+cgroup-v2 \/sys\/fs\/cgroup\/cpu\.max/);
  expect(text).toMatch(/memory pressure\s+some 1\.71\/2\.36\/2\.57%/);
  expect(text).not.toContain("warnings:");
});

test("no cgroup: host figures are labelled host and a warning says so", () => {
  const text = renderResources(detect({ read: rootedReader(fixture("no-cgroup-mounts")), affinityCpus: 2 }));
  expect(text).toMatch(/memory limit\s+none\s+host \/proc\/meminfo/);
  expect(text).toMatch(/warnings:\n {2}! memory: no usable cgroup memory controller/);
});

test("an unreadable limit shows as unknown with the reason", () => {
  const text = renderResources(detect({ read: rootedReader(fixture("unreadable-files")), affinityCpus: 2 }));
  expect(text).toMatch(/memory limit\s+unknown\s+unknown \(.*EISDIR/);
});
