#!/usr/bin/env bash
# The side-by-side benchmark (`make bench`): builds what it measures, then
# runs bench/run.mjs, which prints the markdown table (alone on stdout; the
# rest goes to stderr) and writes
# bench/results/latest.{json,md,svg}. Works on a fresh checkout: installs
# bench's own npm packages (exact versions, from its package-lock.json).
#
#   bench/run.sh                 full: up to 5 runs per SDK, < 12 minutes
#   BENCH_QUICK=1 bench/run.sh   quick: up to 3 runs, shorter caps
set -euo pipefail

# The time budget covers the builds too.
BENCH_T0_MS="$(date +%s%3N)"
export BENCH_T0_MS

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
cd "$here"

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund >&2
fi

# The SDK (dist/exponea.{js,worker.js,wasm}).
make -C "$root" --no-print-directory build >&2
# Chromium from Debian's packages if missing (never a browser download).
command -v "${BENCH_CHROMIUM:-/usr/bin/chromium}" >/dev/null || make -C "$root" --no-print-directory chromium >&2

# What the page loads and the sizes are of: a copy, so that a rebuild of
# dist/ by someone else during the run changes nothing. exponea.wasm.br is
# what pages.mjs serves the wasm as (it checks that it decodes to the wasm).
rm -rf dist/sdk
mkdir -p dist/sdk
cp "$root/dist/exponea.js" "$root/dist/exponea.worker.js" "$root/dist/exponea.wasm" "$root/dist/exponea.wasm.br" dist/sdk/

# The size floor, with the SDK's own flags (see the Makefile's WASM_FLAGS).
(cd "$root" && GOOS=js GOARCH=wasm go build -trimpath -ldflags="-s -w" -o bench/dist/floor.wasm ./bench/floor)

node build.mjs >&2
exec node run.mjs
