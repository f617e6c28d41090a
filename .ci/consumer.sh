#!/usr/bin/env bash
# Uses the packages the way a stranger does. A clean build, `pnpm pack` of every public package (which
# rewrites workspace:^), a check of what each tarball holds, then, in a temp folder outside the workspace:
#   1. a plain npm project installs the tarballs (better-sqlite3 from the workspace's build as a local prebuild,
#      or compiled from source with SBX_CONSUMER_COMPILE=1), type-checks
#      .ci/consumer/ under NodeNext, Bundler and a browser setup (strict, exactOptionalPropertyTypes), runs
#      the consumer against the real Docker engine, then runs the installed CLI: `npx sbx --help`,
#      `npx sbx report --json` on the consumer's database, and `npx @sbx/agent-host serve`;
#   2. `npm install --global` of the tarballs (scripts skipped, so better-sqlite3 stays unbuilt): `sbx --help`
#      runs from the global bin folder, and `sbx report` says to run `npm rebuild better-sqlite3`;
#   3. README's way from a clone: a plain npm project installs every tarball at once (no overrides), imports
#      @sbx/client and runs `npx sbx --version`;
#   4. a pnpm 10 project installs the tarballs (pnpm skips better-sqlite3's build until approved) and
#      `openDatabase()` says to approve the build and rebuild.
# Legs 2-4 install in the background while leg 1 runs. Every leg runs; each failure is listed at the end and the
# script exits 1. Needs a Docker engine with the
# offline image sbx-test/busybox:latest (.ci/prereqs/docker.sh). SBX_CONSUMER_KEEP=1 keeps the temp folder.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
started=$SECONDS
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
# better-sqlite3 compiles from source with the local Node headers, on both cores.
export JOBS=max
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node_version.h ]; then
  export npm_config_nodedir=/usr
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/sbx-consumer.XXXXXX")
serve_pid=""
installs=""
cleanup() {
  if [ -n "$serve_pid" ]; then kill -KILL -- "-$serve_pid" 2>/dev/null || true; fi
  # shellcheck disable=SC2086
  if [ -n "$installs" ]; then kill $installs 2>/dev/null || true; fi
  if [ "${SBX_CONSUMER_KEEP:-}" = 1 ]; then echo "kept ${work}"; else rm -rf "$work"; fi
}
trap cleanup EXIT

failures=()
step() { echo "::: consumer ($((SECONDS - started)) s): $*"; }
fail() {
  echo "!!! consumer: FAILED: $*" >&2
  failures+=("$*")
}
# Prints a file indented, without npm's warnings about this machine's npmrc.
indent() { { grep -v '^npm warn Unknown \(env\|user\) config' || true; } | sed 's/^/    /'; }
show() { indent <"$1"; }
# Prints a command's output indented; records a failure (and goes on) when it exits non-zero.
check() {
  local what=$1
  shift
  local status=0
  "$@" >"$work/out.txt" 2>&1 || status=$?
  show "$work/out.txt"
  if [ "$status" -ne 0 ]; then fail "${what} (exit ${status})"; fi
  return 0
}

step "clean build"
# pnpm -r builds in dependency order; unlike turbo it neither reads nor writes a build cache.
pnpm -s run clean
pnpm -r --reporter=append-only run build >&2

step "pack every public package"
mkdir -p "$work/tarballs"
packages=$(node -e '
  const { readFileSync, readdirSync, existsSync } = require("node:fs");
  for (const group of ["packages", "apps"])
    for (const dir of readdirSync(group)) {
      const file = `${group}/${dir}/package.json`;
      if (existsSync(file) && !JSON.parse(readFileSync(file, "utf8")).private) console.log(`${group}/${dir}`);
    }')
for dir in $packages; do
  (cd "$dir" && pnpm pack --pack-destination "$work/tarballs" >/dev/null)
done
node .ci/check-tarballs.mjs "$repo" "$work"/tarballs/*.tgz || fail "tarball contents"

# package.json of a consumer project: every tarball as a dependency, and as an override so a dependency of
# one @sbx package on another resolves to the tarball too, never to the registry.
consumer_package_json() {
  node - "$work/tarballs" "$@" <<'EOF'
const { readdirSync } = require('node:fs');
const [dir, ...extra] = process.argv.slice(2);
const deps = {};
for (const file of readdirSync(dir).filter((f) => f.endsWith('.tgz'))) {
  const name = `@sbx/${file.replace(/^sbx-/, '').replace(/-\d+\.\d+\.\d+(-[\w.]+)?\.tgz$/, '')}`;
  deps[name] = `file:${dir}/${file}`;
}
const pkg = { name: 'sbx-consumer', private: true, type: 'module', dependencies: { ...deps } };
for (const spec of extra) {
  const at = spec.lastIndexOf('@');
  pkg.dependencies[spec.slice(0, at)] = spec.slice(at + 1);
}
pkg.overrides = Object.fromEntries(Object.keys(deps).map((name) => [name, `$${name}`]));
pkg.pnpm = { overrides: deps };
console.log(JSON.stringify(pkg, null, 2));
EOF
}
version_of() { node -p "require('./$1').$2"; }

# Legs 2-4 only install (scripts skipped: little CPU, mostly the registry), so their installs start now, in the
# background, while leg 1 runs; each leg waits for its own install, then shows its output and checks in order.
global="$work/global"
plain="$work/plain"
papp="$work/pnpm-app"
mkdir -p "$plain" "$papp"
consumer_package_json >"$papp/package.json"
(cd "$work" && npm install --global --prefix "$global" --ignore-scripts --no-audit --no-fund --loglevel=error \
  "$work"/tarballs/*.tgz) >"$work/global-install.log" 2>&1 &
global_install=$!
(cd "$plain" && npm init -y >/dev/null && npm install --ignore-scripts --no-audit --no-fund --loglevel=error \
  "$work"/tarballs/*.tgz) >"$work/plain-install.log" 2>&1 &
plain_install=$!
(cd "$papp" && pnpm install --reporter=append-only) >"$work/pnpm-install.log" 2>&1 &
pnpm_install=$!
installs="$global_install $plain_install $pnpm_install"

step "npm project: install the tarballs (better-sqlite3 with its native module)"
app="$work/app"
mkdir -p "$app"
consumer_package_json \
  "dockerode@$(version_of apps/agent-host/package.json 'dependencies.dockerode')" \
  "typescript@$(node -p "require('typescript/package.json').version")" \
  "@types/node@$(version_of package.json "devDependencies['@types/node']")" \
  "@types/dockerode@$(version_of apps/agent-host/package.json "devDependencies['@types/dockerode']")" \
  >"$app/package.json"
cp .ci/consumer/*.ts .ci/consumer/tsconfig.*.json "$app/"
# No prebuilt binary is downloaded. better-sqlite3's install script runs either way; by default it finds the
# workspace's own build (the same version, compiled for this Node.js a few minutes earlier) as a local prebuild
# (prebuild-install's npm_config_better_sqlite3_local_prebuilds) instead of compiling the same sources again
# (~2 min on 2 cores). SBX_CONSUMER_COMPILE=1, or a workspace without a build, compiles it from source, as on a
# machine without a binary for its platform.
# Another version than the workspace's finds no local prebuild, and the unreachable binary host makes it compile.
install_env=(npm_config_build_from_source=true)
bs3=$(cd packages/store && node -p "require('node:path').dirname(require.resolve('better-sqlite3/package.json'))")
if [ "${SBX_CONSUMER_COMPILE:-}" != 1 ] && [ -f "$bs3/build/Release/better_sqlite3.node" ]; then
  prebuilt=$(node -p "const p = require('$bs3/package.json');
    \`\${p.name}-v\${p.version}-node-v\${process.versions.modules}-\${process.platform}-\${process.arch}.tar.gz\`")
  mkdir -p "$work/prebuilds"
  tar -czf "$work/prebuilds/$prebuilt" -C "$bs3" build/Release/better_sqlite3.node
  install_env=(npm_config_build_from_source=false "npm_config_better_sqlite3_local_prebuilds=$work/prebuilds"
    npm_config_better_sqlite3_binary_host=http://127.0.0.1:9)
  echo "    better-sqlite3: the workspace's build as a local prebuild (${prebuilt}); SBX_CONSUMER_COMPILE=1 compiles"
fi
(cd "$app" && env "${install_env[@]}" npm install --no-audit --no-fund --loglevel=error 2>&1) | indent ||
  { fail "npm install of the tarballs"; exit 1; }
(cd "$app" && npm ls --depth=0 2>/dev/null) | indent
if [ -f "$app/node_modules/better-sqlite3/build/Release/better_sqlite3.node" ]; then
  echo "    better-sqlite3 installed with its native module"
else
  fail "npm install left better-sqlite3 without its native module"
fi

for config in nodenext bundler browser; do
  step "type-check .ci/consumer (${config}: strict, exactOptionalPropertyTypes)"
  check "type-check ${config}" bash -c "cd '$app' && npx tsc -p tsconfig.${config}.json --pretty false"
done

step "run the consumer against the real Docker engine"
if ! docker image inspect sbx-test/busybox:latest >/dev/null 2>&1; then
  fail "no Docker engine or no image sbx-test/busybox:latest (run .ci/prereqs/docker.sh)"
elif [ ! -f "$app/dist/consumer.js" ]; then
  fail "tsc emitted no dist/consumer.js"
else
  check "consumer run" bash -c "cd '$app' && node dist/consumer.js '$app/consumer.db'"
fi

step "installed CLI: npx sbx --help, npx sbx report --json"
check "npx sbx --help" bash -c "cd '$app' && npx --no-install sbx --help"
check "npx sbx report --json" bash -c "cd '$app' && npx --no-install sbx report --json --db '$app/consumer.db' >'$work/report.json' \
  && node -e 'const r = JSON.parse(require(\"fs\").readFileSync(process.argv[1], \"utf8\")); console.log(\"report --json parses; keys:\", Object.keys(r).join(\", \"))' '$work/report.json'"

step "npx @sbx/agent-host serve"
(cd "$app" && exec setsid npx --no-install @sbx/agent-host serve --port 0 --db "$app/serve.db" >"$work/serve.log" 2>&1) &
serve_pid=$!
url=""
for _ in $(seq 1 100); do
  url=$(sed -n 's/^sbx listening on \(http[^ ]*\).*/\1/p' "$work/serve.log")
  [ -n "$url" ] && break
  sleep 0.2
done
if [ -z "$url" ]; then
  show "$work/serve.log"
  fail "npx @sbx/agent-host serve did not listen"
else
  check "serve /healthz" node -e 'fetch(process.argv[1]).then(async (r) => { console.log(r.status, await r.text()); if (!r.ok) process.exit(1); })' "${url%/}/healthz"
fi
# Ctrl-C, as a user stops it; the whole process group (npx and the host), killed if it lingers.
kill -INT -- "-$serve_pid" 2>/dev/null || true
for _ in $(seq 1 50); do kill -0 -- "-$serve_pid" 2>/dev/null || break; sleep 0.2; done
if kill -0 -- "-$serve_pid" 2>/dev/null; then
  kill -KILL -- "-$serve_pid" 2>/dev/null || true
  fail "npx @sbx/agent-host serve did not exit within 10 s of Ctrl-C"
fi
wait "$serve_pid" 2>/dev/null || true
serve_pid=""

step "npm install --global (scripts skipped): sbx --help, then the unbuilt native module's message"
wait "$global_install" || fail "npm install --global of the tarballs"
show "$work/global-install.log"
check "global sbx --help" "$global/bin/sbx" --help
status=0
"$global/bin/sbx" report --db "$work/global.db" >"$work/out.txt" 2>&1 || status=$?
show "$work/out.txt"
if [ "$status" -eq 0 ] || ! grep -q 'npm rebuild better-sqlite3' "$work/out.txt"; then
  fail "global sbx report without the native module did not say to run npm rebuild better-sqlite3"
fi

step "README's way from a clone: npm install of every tarball at once in a plain project (scripts skipped)"
wait "$plain_install" || fail "npm install of the tarballs in a plain project"
show "$work/plain-install.log"
check "plain project: import @sbx/client" bash -c "cd '$plain' && node --input-type=module -e \"
  import { SbxClient } from '@sbx/client';
  console.log('SbxClient', typeof new SbxClient({ baseUrl: 'http://127.0.0.1:7070', token: 't' }).sandboxes);
\""
check "plain project: npx sbx --version" bash -c "cd '$plain' && npx --no-install sbx --version"

step "pnpm 10 project: better-sqlite3's build is not approved"
wait "$pnpm_install" || fail "pnpm install of the tarballs"
{ grep -iE 'ignored build|done in' "$work/pnpm-install.log" || true; } | indent
status=0
(cd "$papp" && node --input-type=module -e "
  import { openDatabase } from '@sbx/store';
  await openDatabase(':memory:');
  console.log('opened: better-sqlite3 was built after all');
") >"$work/out.txt" 2>&1 || status=$?
{ grep -E '^(StoreError|opened)' "$work/out.txt" || true; } | indent
if [ -f "$papp/node_modules/better-sqlite3/build/Release/better_sqlite3.node" ]; then
  echo "    (pnpm built better-sqlite3 here; the unapproved-build message was not exercised)"
elif [ "$status" -eq 0 ] || ! grep -q 'pnpm approve-builds' "$work/out.txt"; then
  fail "pnpm consumer without the native module did not get the approve-builds message"
fi

echo
if [ "${#failures[@]}" -gt 0 ]; then
  echo "consumer: ${#failures[@]} failure(s) in $((SECONDS - started)) s:" >&2
  printf '  - %s\n' "${failures[@]}" >&2
  exit 1
fi
echo "consumer: all legs passed in $((SECONDS - started)) s"
