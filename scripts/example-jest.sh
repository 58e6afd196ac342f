#!/usr/bin/env bash
# Runs examples/jest exactly as a user would: packs this tree with `npm pack`, copies the example project
# to a temporary folder, installs the tarball and jest there, and runs its tests. Fails when a test
# fails, when jest needs --forceExit to end (it is given 5 minutes), or when it reports open handles.
#   bash scripts/example-jest.sh [--json FILE]   (FILE: jest's JSON results, for .ci/run's count)
set -euo pipefail
cd "$(dirname "$0")/.."
json=""
if [ "${1:-}" = "--json" ]; then json="$2"; fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
npm pack --silent --pack-destination "$work" >/dev/null
tarball="$(ls "$work"/posthog-mock-*.tgz)"
mkdir "$work/project"
cp -r examples/jest/. "$work/project/"
rm -rf "$work/project/node_modules"
cd "$work/project"
npm install --no-audit --no-fund --loglevel=error
npm install --no-audit --no-fund --loglevel=error "$tarball"

args=(--ci)
if [ -n "$json" ]; then args+=(--json --outputFile="$json"); fi
status=0
timeout 300 npx jest "${args[@]}" >"$work/jest.log" 2>&1 || status=$?
cat "$work/jest.log"
if [ "$status" = 124 ]; then
  echo "examples/jest: jest did not exit within 5 minutes (an open handle?)" >&2
  exit 1
fi
if grep -qiE "open handle|did not exit one second" "$work/jest.log"; then
  echo "examples/jest: jest reported open handles" >&2
  exit 1
fi
exit "$status"
