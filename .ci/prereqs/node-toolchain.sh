#!/usr/bin/env bash
# pnpm at the version package.json pins (corepack is not usable on these machines).
set -euo pipefail
cd "$(dirname "$0")/../.."
want=$(node -p "require('./package.json').packageManager.split('@')[1]")
if [ "$(pnpm --version 2>/dev/null || true)" != "$want" ]; then
  npm install -g "pnpm@${want}" --no-fund --no-audit
fi
pnpm --version
