#!/usr/bin/env bash
# `npm run import [-- OUTDIR]`: regenerates imports/ from the CRDs vendored in crds/ (or $CRDS_DIR), offline:
# Istio 1.30.3, cert-manager v1.21.1 and the Kubernetes Gateway API v1.5.1 standard channel (bindings and
# validation), Istio 1.31 and Gateway API v1.6.0 (validation of the --istio 1.31 target). Checks every
# file against crds/SHA256SUMS first, then runs `cdk8s import` (the TypeScript bindings, one module per API
# group) and scripts/extract-schemas.js (the schemas and CEL rules the validator reads, of every vendored
# CRD). `cdk8s import` writes one file per API group, so the Gateway API files are concatenated and imported
# together (imported one by one, only the last would remain). Of cert-manager only the Certificate gets a
# binding (the one TlsCredential.fromCertManager emits): the Issuer bindings would add 16,000 lines to the
# module the library loads; Issuers and ClusterIssuers are still validated.
# The schemas of the Kubernetes built-in kinds come from k8s-schemas/ (or $K8S_SCHEMAS_DIR): the upstream OpenAPI
# definitions of Kubernetes 1.32 to 1.36, the releases Istio 1.30 and 1.31 support, checked against
# k8s-schemas/SHA256SUMS likewise (k8s-schemas/README.md).
# After a version bump, point CRDS_DIR at a folder laid out like crds/ with the new files and sums.
set -euo pipefail
caller=$PWD
cd "$(dirname "$0")/.."
dir=${CRDS_DIR:-crds}
case $dir in /*) ;; *) dir=$caller/$dir ;; esac
out=${1:-imports}
k8sdir=${K8S_SCHEMAS_DIR:-k8s-schemas}
case $k8sdir in /*) ;; *) k8sdir=$caller/$k8sdir ;; esac

istio=(istio-1.30.3/crd-all.gen.yaml)
certificates=cert-manager-v1.21.1/cert-manager.io_certificates.yaml
certmanager=(cert-manager-v1.21.1/cert-manager.io_{certificates,clusterissuers,issuers}.yaml)
gatewayapi=(gateway-api-v1.5.1/gateway.networking.k8s.io_{backendtlspolicies,gatewayclasses,gateways,grpcroutes,httproutes,referencegrants,tlsroutes}.yaml)
# Istio 1.31's CRDs and the Gateway API v1.6.0 standard channel it is built against: validated against (the
# validator's --istio 1.31 target, imports/validation/crds-1.31.json), not imported as bindings
istio131=(istio-1.31/crd-all.gen.yaml)
gatewayapi160=(gateway-api-v1.6.0/standard/gateway.networking.k8s.io_{backendtlspolicies,gatewayclasses,gateways,grpcroutes,httproutes,listenersets,referencegrants,tcproutes,tlsroutes,udproutes}.yaml)
all=("${istio[@]}" "${certmanager[@]}" "${gatewayapi[@]}" "${istio131[@]}" "${gatewayapi160[@]}")

fail() { echo "error: $*" >&2; exit 1; }
[ -f "$dir/SHA256SUMS" ] || fail "$dir/SHA256SUMS not found (CRDS_DIR=${CRDS_DIR:-crds})"
for f in "${all[@]}"; do
  [ -f "$dir/$f" ] || fail "$dir/$f not found"
  grep -qE "^[0-9a-f]{64}  $f\$" "$dir/SHA256SUMS" || fail "$dir/SHA256SUMS has no sum for $f"
done
if ! bad=$(cd "$dir" && sha256sum --check --strict --quiet SHA256SUMS 2>&1); then
  fail "the CRD files in $dir do not match $dir/SHA256SUMS (vendored files must be the upstream files, unchanged):
$bad"
fi

[ -f "$k8sdir/SHA256SUMS" ] || fail "$k8sdir/SHA256SUMS not found (K8S_SCHEMAS_DIR=${K8S_SCHEMAS_DIR:-k8s-schemas})"
if ! bad=$(cd "$k8sdir" && sha256sum --check --strict --quiet SHA256SUMS 2>&1); then
  fail "the Kubernetes schema files in $k8sdir do not match $k8sdir/SHA256SUMS (vendored files must be the upstream files, unchanged):
$bad"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
concat() { local f; for f in "$@"; do echo '---'; cat "$dir/$f"; done; }
concat "${gatewayapi[@]}" >"$work/gateway.networking.k8s.io.yaml"
for f in "$dir/${istio[0]}" "$dir/$certificates" "$work/gateway.networking.k8s.io.yaml"; do
  log=$(CDK8S_CHECK_UPGRADE=false npx cdk8s import "$f" --no-save --language typescript --output "$out" 2>&1) || fail "cdk8s import $f failed:
$log"
done
node scripts/extract-schemas.js --out "$out/validation" --k8s "$k8sdir" "${all[@]/#/$dir/}" >/dev/null
echo "imported $(ls "$out"/*.ts | wc -l) binding file(s) into $out/"
