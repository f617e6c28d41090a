#!/usr/bin/env bash
# The unit tests on Node.js 24. Installs the registry's `node` package at major 24 into a temp folder, compiles
# better-sqlite3 (the version the lockfile pins) for it there, and runs `vitest run --project unit` with that
# Node.js and that build. The workspace's node_modules, built for the Node.js that runs everything else, is not
# touched. Prints vitest's closing line; exits non-zero on any failure. SBX_NODE24_KEEP=1 keeps the temp folder.
#
# The headers better-sqlite3 is compiled against: since 24.19.0, Node's header-only node_object_wrap.h registers
# an environment cleanup hook per object and removes it in the destructor, which a GC weak callback runs with no
# context entered, so `node::RemoveEnvironmentCleanupHook` aborts with `Assertion failed: (env) != nullptr`
# (nodejs/node#65446). better-sqlite3 12 derives its Database and Statement from that ObjectWrap, so compiled
# against those headers it aborts the process at a garbage collection, mid-run (closing every database does not
# help: a closed one is still collected). The crash follows the headers, not the runtime: when the runtime's
# headers have that hook, better-sqlite3 is compiled against Node.js 24.18.1's (same ABI, NODE_MODULE_VERSION 137,
# without the hook), and the tests still run on the newest Node.js 24.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
step() { echo "::: node24 ($((SECONDS - started)) s): $*"; }
indent() { { grep -v '^npm warn Unknown \(env\|user\) config' || true; } | sed 's/^/    /'; }

work=$(mktemp -d "${TMPDIR:-/tmp}/sbx-node24.XXXXXX")
cleanup() { if [ "${SBX_NODE24_KEEP:-}" = 1 ]; then echo "kept ${work}"; else rm -rf "$work"; fi; }
trap cleanup EXIT

step "node@24 from the registry"
mkdir -p "$work/node"
echo '{ "private": true }' >"$work/node/package.json"
(cd "$work/node" && npm install --no-audit --no-fund --loglevel=error node@24 2>&1) | indent
node24="$work/node/node_modules/node/bin/node"
version=$("$node24" --version)
case "$version" in
  v24.*) echo "    ${version} at ${node24}" ;;
  *) echo "node24: expected Node.js 24, got ${version}" >&2; exit 1 ;;
esac
# The package ships the official tarball's headers (include/node); node-gyp must use them, not download any.
headers=$(find "$work/node/node_modules" -path '*/include/node/node_version.h' -print -quit)
if [ -z "$headers" ]; then
  echo "node24: no include/node/node_version.h in the node package; cannot compile native modules" >&2
  exit 1
fi
nodedir=${headers%/include/node/node_version.h}
headers_version=$version
if grep -q 'AddEnvironmentCleanupHook' "$nodedir/include/node/node_object_wrap.h"; then
  headers_version=v24.18.1
  step "headers of Node.js ${headers_version} for better-sqlite3 (${version}'s ObjectWrap aborts at GC: nodejs/node#65446)"
  mkdir -p "$work/headers"
  echo '{ "private": true }' >"$work/headers/package.json"
  (cd "$work/headers" && npm install --no-audit --no-fund --loglevel=error "node@${headers_version#v}" 2>&1) | indent
  headers=$(find "$work/headers/node_modules" -path '*/include/node/node_version.h' -print -quit)
  if [ -z "$headers" ]; then
    echo "node24: no include/node/node_version.h in node@${headers_version#v}" >&2
    exit 1
  fi
  nodedir=${headers%/include/node/node_version.h}
  if grep -q 'AddEnvironmentCleanupHook' "$nodedir/include/node/node_object_wrap.h"; then
    echo "node24: the headers of ${headers_version} have ObjectWrap's cleanup hook too" >&2
    exit 1
  fi
fi

sqlite_version=$(node -p "require('./packages/store/node_modules/better-sqlite3/package.json').version")
step "better-sqlite3 ${sqlite_version} compiled for ${version} against the headers of ${headers_version} (in ${work}/sqlite)"
mkdir -p "$work/sqlite"
echo '{ "private": true }' >"$work/sqlite/package.json"
# npm, node-gyp and the compiled module all run on Node.js 24: its folder comes first on PATH.
(cd "$work/sqlite" && PATH="$(dirname "$node24"):$PATH" npm_config_nodedir="$nodedir" \
  npm_config_build_from_source=true JOBS=max \
  npm install --no-audit --no-fund --loglevel=error "better-sqlite3@${sqlite_version}" 2>&1) | indent
sqlite_dir="$work/sqlite/node_modules/better-sqlite3"
"$node24" -e '
  const Database = require(process.argv[1]);
  const { v } = new Database(":memory:").prepare("select sqlite_version() as v").get();
  console.log(`    loads on ${process.version} (NODE_MODULE_VERSION ${process.versions.modules}), SQLite ${v}`);
' "$sqlite_dir"
# What aborts a build against headers with ObjectWrap's cleanup hook within a second: queries prepared in async
# functions, as Kysely's driver does, the statements and databases left to the garbage collector.
"$node24" --input-type=module -e '
  import { createRequire } from "node:module";
  const Database = createRequire(import.meta.url)(process.argv[1]);
  for (let round = 0; round < 300; round++) {
    const db = new Database(":memory:");
    for (let i = 0; i < 1000; i++) await (async () => db.prepare("select ? as x").get(i))();
    db.close();
  }
  console.log("    300,000 statements in 300 databases left to the GC: no abort");
' "$sqlite_dir" || { echo "node24: better-sqlite3 aborted under garbage collection on ${version}" >&2; exit 1; }

step "vitest run --project unit on ${version}"
status=0
# CI= : vitest.config.ts adds its own JSON reporter (to test-results/, the main run's summary) when CI is set.
CI= SBX_BETTER_SQLITE3_DIR="$sqlite_dir" "$node24" node_modules/vitest/vitest.mjs run --project unit \
  --config .ci/node24.vitest.config.ts --reporter=default --reporter=json --outputFile="$work/vitest.json" \
  >"$work/vitest.log" 2>&1 || status=$?
# What failed, then vitest's own closing lines, then one line counted from the JSON report: a test file whose
# worker process died leaves its tests neither passed nor failed, and vitest's totals do not say which.
sed 's/\x1b\[[0-9;]*m//g' "$work/vitest.log" >"$work/vitest.txt"
{ grep -E '(FAIL|×|AssertionError|Assertion failed|Worker exited unexpectedly|~Database|~Statement)' \
  "$work/vitest.txt" || true; } | sed -E 's/^ *[0-9]+: 0x[0-9a-f]+ //; s/\[[^]]*\]$//' | sort | uniq -c | head -20 | indent
{ grep -E '^ *(Test Files|Tests|Errors|Duration) ' "$work/vitest.txt" || true; } | indent
node - "$work/vitest.json" <<'JS' || status=$((status == 0 ? 1 : status))
const report = JSON.parse(require('node:fs').readFileSync(process.argv[2], 'utf8'));
const count = { passed: 0, failed: 0, skipped: 0, unfinished: 0 };
const unfinished = [];
for (const file of report.testResults) {
  let open = 0;
  for (const test of file.assertionResults) {
    if (test.status === 'passed' || test.status === 'failed') count[test.status]++;
    else if (test.status === 'skipped' || test.status === 'todo') count.skipped++;
    else open++;
  }
  count.unfinished += open;
  if (open > 0) unfinished.push(`${file.name.replace(`${process.cwd()}/`, '')} (${open})`);
}
console.log(
  `vitest: ${count.passed} passed, ${count.failed} failed, ${count.skipped} skipped, ${count.unfinished} never finished`,
);
for (const file of unfinished) console.log(`  never finished: ${file}`);
process.exit(count.failed + count.unfinished > 0 || report.numTotalTests === 0 ? 1 : 0);
JS
echo "node24: ${version} (better-sqlite3 ${sqlite_version} built against ${headers_version} headers), $((SECONDS - started)) s"
exit "$status"
