#!/usr/bin/env node
// The build's second half: the run-time files that are not TypeScript — the dashboard (src/web) and the
// Python half of the generated gunicorn.conf.py (src/python) — copied beside the compiled code in dist/.
import { cpSync } from "node:fs";

for (const dir of ["web", "python"]) {
  cpSync(`src/${dir}`, `dist/${dir}`, {
    recursive: true,
    filter: (path) => !/__pycache__|\.pyc$/.test(path),
  });
}
