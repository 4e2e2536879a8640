#!/usr/bin/env bash
# `npm run import [-- OUTDIR]`: regenerates imports/ from the pinned Istio 1.30.3 CRDs, offline.
# Reads ../shared/crds (or $ISTIO_CRDS), checks its sha256 against SHA256SUMS, then runs `cdk8s import`
# (the TypeScript bindings) and scripts/extract-schemas.js (the schemas and CEL rules the validator reads).
# With network access, `npx cdk8s import` reads the same file from the upstream URL in cdk8s.yaml.
set -euo pipefail
cd "$(dirname "$0")/.."
crds=${ISTIO_CRDS:-../shared/crds/istio-1.30.3/crd-all.gen.yaml}
out=${1:-imports}
sums="$(dirname "$(dirname "$crds")")/SHA256SUMS"
if [ -f "$sums" ]; then
  want=$(grep ' istio-1.30.3/crd-all.gen.yaml$' "$sums" | cut -d' ' -f1)
  got=$(sha256sum "$crds" | cut -d' ' -f1)
  [ "$want" = "$got" ] || { echo "error: $crds has sha256 $got, SHA256SUMS says $want" >&2; exit 1; }
fi
CDK8S_CHECK_UPGRADE=false npx cdk8s import "$crds" --language typescript --output "$out" >/dev/null
if [ -f scripts/extract-schemas.js ]; then
  node scripts/extract-schemas.js --out "$out/validation" "$crds" >/dev/null
fi
echo "imported $(ls "$out"/*.ts | wc -l) binding file(s) into $out/"
