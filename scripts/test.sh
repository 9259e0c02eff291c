#!/usr/bin/env bash
# The README's second command (and .ci/run): set up everything the tests need, then run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
GWARDEN_SETUP_TEST=1 bash scripts/setup.sh
npm run --silent typecheck
npm run --silent lint
npm run --silent format:check
mkdir -p test-results
status=0
npx vitest run --reporter=default --reporter=json --outputFile=test-results/vitest.json || status=$?
# A closing line CI can read, from vitest's JSON report.
node -e '
  const r = require("./test-results/vitest.json");
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
' || true
exit "$status"
