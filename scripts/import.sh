#!/usr/bin/env bash
# `npm run import [-- OUTDIR]`: regenerates imports/ from the pinned CRDs, offline: Istio 1.30.3 and
# cert-manager v1.21.1's Certificate. Reads ../shared/crds (or $CRDS_DIR), checks the sha256 sums against
# SHA256SUMS, then runs `cdk8s import` (the TypeScript bindings) and scripts/extract-schemas.js (the schemas
# and CEL rules the validator reads). With network access, `npx cdk8s import` reads the same files from
# the upstream URLs in cdk8s.yaml.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${CRDS_DIR:-../shared/crds}
istio=istio-1.30.3/crd-all.gen.yaml
certificates=cert-manager-v1.21.1/cert-manager.io_certificates.yaml
crds="$dir/$istio"
out=${1:-imports}
(cd "$dir" && grep -E " ($istio|$certificates)\$" SHA256SUMS | sha256sum --check --quiet --strict) \
  || { echo "error: the CRD files in $dir do not match $dir/SHA256SUMS" >&2; exit 1; }
for f in "$dir/$istio" "$dir/$certificates"; do
  log=$(CDK8S_CHECK_UPGRADE=false npx cdk8s import "$f" --language typescript --output "$out" 2>&1) || { echo "$log" >&2; exit 1; }
done
if [ -f scripts/extract-schemas.js ]; then
  node scripts/extract-schemas.js --out "$out/validation" "$crds" >/dev/null
fi
echo "imported $(ls "$out"/*.ts | wc -l) binding file(s) into $out/"
