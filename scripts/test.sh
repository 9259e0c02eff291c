#!/usr/bin/env bash
# The README's second command (and .ci/run): set up everything the tests need, then run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
GWARDEN_SETUP_TEST=1 bash scripts/setup.sh
npm run --silent typecheck
npm run --silent lint
npm run --silent format:check
mkdir -p test-results
rm -f test-results/vitest.json test-results/vitest-vm.json
# The QEMU files (project vm-host) run in a second vitest beside the first: vitest puts every
# one-file-at-a-time project into one queue, and the guests' ~12 min of one busy CPU would otherwise
# come after the integration files instead of beside them. Their output follows the main run's.
vm_status=0
npx vitest run --project vm-host --reporter=default --reporter=json \
  --outputFile=test-results/vitest-vm.json >test-results/vm-host.log 2>&1 &
vm_pid=$!
status=0
npx vitest run --project unit --project integration --reporter=default --reporter=json \
  --outputFile=test-results/vitest.json || status=$?
wait "$vm_pid" || vm_status=$?
echo "--- the QEMU files (vitest --project vm-host) ---"
cat test-results/vm-host.log
[ "$status" -ne 0 ] || status=$vm_status
# A closing line CI can read, from both JSON reports (a missing report counts as a failure).
node -e '
  const fs = require("node:fs");
  let passed = 0, failed = 0, skipped = 0;
  for (const file of ["test-results/vitest.json", "test-results/vitest-vm.json"]) {
    if (!fs.existsSync(file)) { console.log(`${file}: missing`); failed++; continue; }
    const r = JSON.parse(fs.readFileSync(file, "utf8"));
    passed += r.numPassedTests; failed += r.numFailedTests; skipped += r.numPendingTests + r.numTodoTests;
  }
  console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
' || true
exit "$status"
