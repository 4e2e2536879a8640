/**
 * The Istio annotations istio/api defines (annotation.AllResourceAnnotations(): every entry of annotation/annotations.yaml),
 * with whether each is deprecated and the resource kinds it applies to, as the annotations analyzer
 * (annotations.go) reads them. Data, not code: made from the vendored upstream files (unchanged, with their
 * SHA256SUMS and provenance in test/fixtures/istio-api/README.md), and a unit test
 * (test/validator/rules/analyzer/istio-annotations.test.ts) fails when this list differs from them.
 * - Istio 1.30: istio/api tag 1.30.3 (commit 2e43f07b, the version Istio 1.30.3's go.mod pins);
 * - Istio 1.31: istio/api branch release-1.31 at b8f8791 (2026-07-21), which adds one annotation. Istio 1.31
 *   (a8d7012) pins istio/api 6d586ec (2026-08-14), which was not available offline; see the README.
 */
import type { IstioRelease } from '../rule';

/** The resource kinds of annotations.yaml (annotation.ResourceTypes). */
export type AnnotationResource = 'Any' | 'AuthorizationPolicy' | 'Gateway' | 'GatewayClass' | 'Ingress' | 'Namespace' | 'Pod' | 'Service' | 'ServiceEntry' | 'WorkloadEntry';

/** [name, deprecated, resources] */
export type AnnotationEntry = readonly [string, boolean, readonly AnnotationResource[]];

/** istio/api 1.30.3 annotation/annotations.yaml, in its order. */
export const ANNOTATIONS_1_30: readonly AnnotationEntry[] = [
  ['prometheus.istio.io/merge-metrics', false, ['Pod']],
  ['alpha.istio.io/kubernetes-serviceaccounts', true, ['Service']],
  ['alpha.istio.io/canonical-serviceaccounts', true, ['Service']],
  ['networking.istio.io/exportTo', false, ['Service']],
  ['sidecar.istio.io/inject', true, ['Pod']],
  ['sidecar.istio.io/status', false, ['Pod']],
  ['sidecar.istio.io/rewriteAppHTTPProbers', false, ['Pod']],
  ['sidecar.istio.io/discoveryAddress', true, ['Pod']],
  ['sidecar.istio.io/proxyImage', false, ['Pod']],
  ['sidecar.istio.io/proxyImageType', false, ['Pod']],
  ['sidecar.istio.io/proxyCPU', false, ['Pod']],
  ['sidecar.istio.io/proxyCPULimit', false, ['Pod']],
  ['sidecar.istio.io/proxyMemory', false, ['Pod']],
  ['sidecar.istio.io/proxyMemoryLimit', false, ['Pod']],
  ['sidecar.istio.io/interceptionMode', false, ['Pod']],
  ['sidecar.istio.io/bootstrapOverride', false, ['Pod']],
  ['sidecar.istio.io/statsInclusionPrefixes', true, ['Pod']],
  ['sidecar.istio.io/statsInclusionSuffixes', true, ['Pod']],
  ['sidecar.istio.io/statsInclusionRegexps', true, ['Pod']],
  ['sidecar.istio.io/statsHistogramBuckets', false, ['Pod']],
  ['sidecar.istio.io/statsFlushInterval', false, ['Pod']],
  ['sidecar.istio.io/statsEvictionInterval', false, ['Pod']],
  ['sidecar.istio.io/statsHistogramBins', false, ['Pod']],
  ['sidecar.istio.io/userVolume', false, ['Pod']],
  ['sidecar.istio.io/userVolumeMount', false, ['Pod']],
  ['status.sidecar.istio.io/port', false, ['Pod']],
  ['sidecar.istio.io/logLevel', false, ['Pod']],
  ['sidecar.istio.io/componentLogLevel', false, ['Pod']],
  ['sidecar.istio.io/agentLogLevel', false, ['Pod']],
  ['sidecar.istio.io/nativeSidecar', false, ['Pod']],
  ['readiness.status.sidecar.istio.io/initialDelaySeconds', false, ['Pod']],
  ['readiness.status.sidecar.istio.io/periodSeconds', false, ['Pod']],
  ['readiness.status.sidecar.istio.io/failureThreshold', false, ['Pod']],
  ['readiness.status.sidecar.istio.io/applicationPorts', false, ['Pod']],
  ['traffic.istio.io/nodeSelector', false, ['Service']],
  ['traffic.sidecar.istio.io/includeOutboundIPRanges', false, ['Pod']],
  ['traffic.sidecar.istio.io/excludeOutboundIPRanges', false, ['Pod']],
  ['traffic.sidecar.istio.io/includeInboundPorts', false, ['Pod']],
  ['traffic.sidecar.istio.io/excludeInboundPorts', false, ['Pod']],
  ['traffic.sidecar.istio.io/excludeInterfaces', false, ['Pod']],
  ['traffic.sidecar.istio.io/includeOutboundPorts', false, ['Pod']],
  ['traffic.sidecar.istio.io/excludeOutboundPorts', false, ['Pod']],
  ['traffic.sidecar.istio.io/kubevirtInterfaces', true, ['Pod']],
  ['kubernetes.io/ingress.class', false, ['Ingress']],
  ['galley.istio.io/analyze-suppress', false, ['Any']],
  ['proxy.istio.io/config', false, ['Pod']],
  ['istio.io/dry-run', false, ['AuthorizationPolicy']],
  ['istio.io/rev', false, ['Pod']],
  ['proxy.istio.io/overrides', false, ['Pod']],
  ['inject.istio.io/templates', false, ['Pod']],
  ['sidecar.istio.io/extraStatTags', true, ['Pod']],
  ['istio.io/autoRegistrationGroup', false, ['WorkloadEntry']],
  ['istio.io/workloadController', false, ['WorkloadEntry']],
  ['istio.io/connectedAt', false, ['WorkloadEntry']],
  ['istio.io/disconnectedAt', false, ['WorkloadEntry']],
  ['topology.istio.io/controlPlaneClusters', false, ['Namespace']],
  ['gateway.istio.io/controller-version', false, ['Any']],
  ['ambient.istio.io/redirection', false, ['Pod']],
  ['ambient.istio.io/waypoint-inbound-binding', false, ['GatewayClass', 'Gateway']],
  ['gateway.istio.io/service-account', false, ['Gateway']],
  ['gateway.istio.io/name-override', false, ['Gateway']],
  ['networking.istio.io/service-type', false, ['Gateway']],
  ['networking.istio.io/traffic-distribution', false, ['Namespace', 'Service', 'ServiceEntry']],
  ['ambient.istio.io/bypass-inbound-capture', false, ['Pod']],
  ['istio.io/reroute-virtual-interfaces', false, ['Pod']],
  ['ambient.istio.io/dns-capture', false, ['Pod']],
  ['sidecar.istio.io/statsCompression', true, ['Pod']],
];

/** What istio/api release-1.31 (b8f8791) adds to 1.30.3's list (nothing is removed or changed). */
export const ANNOTATIONS_ADDED_1_31: readonly AnnotationEntry[] = [
  ['istio.io/use-waypoint-canary-weight', false, ['Service', 'ServiceEntry', 'Namespace']],
];

const BY_RELEASE: { readonly [R in IstioRelease]: ReadonlyMap<string, AnnotationEntry> } = {
  '1.30': new Map(ANNOTATIONS_1_30.map(e => [e[0], e])),
  '1.31': new Map([...ANNOTATIONS_1_30, ...ANNOTATIONS_ADDED_1_31].map(e => [e[0], e])),
};

/** The annotations istio/api of `release` defines, by name. */
export function istioAnnotations(release: IstioRelease): ReadonlyMap<string, AnnotationEntry> {
  return BY_RELEASE[release];
}
