#!/usr/bin/env bash
# The README's test command: installs what is needed, then runs every test
# (typecheck, lint, unit, integration against the machine's PostgreSQL and Mosquitto,
# end-to-end with real processes, and the dashboard in headless Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
bash scripts/setup.sh --browser
echo "== typecheck"
pnpm -s typecheck
pnpm -s --filter @vitals/dashboard typecheck
echo "== lint"
pnpm -s lint
echo "== tests"
report=$(mktemp)
set +e
pnpm -s vitest run --reporter=default --reporter=json --outputFile="$report" "$@"
status=$?
set -e
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`vitest: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
' "$report" || true
echo "test run took $(( $(date +%s) - start )) s"
exit $status
