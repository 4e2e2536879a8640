/**
 * IST0107 MisplacedAnnotation, IST0108 UnknownAnnotation, IST0125 InvalidAnnotation and IST0135
 * DeprecatedAnnotation, Istio's annotations.K8sAnalyzer (Istio 1.30.3
 * pkg/config/analysis/analyzers/annotations/annotations.go, with the value checks of pkg/kube/inject/validate.go
 * AnnotationValidation and the ignored annotations of maturity.AlwaysIgnoredAnnotations; messages and levels of
 * pkg/config/analysis/msg/messages.yaml; all unchanged in 1.31). The known annotations are istio/api's
 * (istio-annotations.ts, per release).
 *
 * The analyzer's logic, as Istio writes it: the own annotations of every Namespace, Service, Pod and Deployment
 * (not a Deployment's pod template) that are Istio's (kubernetes.io/ingress.class, or a prefix before "/" that ends
 * with istio.io), except sidecar.istio.io/status, gateway.istio.io/controller-version and istio.io/rev, which Istio
 * sets itself:
 * - an annotation istio/api does not define: IST0108 (Istio: warning), next annotation;
 * - a deprecated one: IST0135 (Istio: info, here a note), unless it is the sidecar.istio.io/inject annotation of an
 *   object that also has the sidecar.istio.io/inject label;
 * - one that applies to Any resource: next annotation; one whose resources do not include the object's kind (a
 *   Deployment is never one of them): IST0107 (Istio: warning), next annotation;
 * - one with a value check that the value fails: IST0125 (Istio: warning), with Go's error text.
 * Istio walks the annotations in Go's random map order; here in input order. Not checked: the ProxyConfig of
 * proxy.istio.io/config beyond being a YAML mapping (Istio applies it over the mesh defaults and validates it with
 * ValidateMeshConfigProxyConfig). Objects of kube-system, kube-public, kube-node-lease and local-path-storage are not
 * read.
 */
import type * as YAML from 'yaml';
import type { Obj, Reporter } from '../../context';
import type { MeshIndex } from '../../mesh-index';
import { isIp } from '../istio/common';
import { defineRule } from '../rule';
import { istioAnnotations } from './istio-annotations';
import { annotationsOf, kubeObjects, labelsOf } from './kube';

export const MISPLACED_ANNOTATION = defineRule({
  id: 'analyzer/misplaced-annotation',
  family: 'analyzer',
  severity: 'warning',
  description: 'An Istio annotation is on a kind of resource it does not apply to, where Istio ignores it.',
  source: 'Istio analyzer IST0107 MisplacedAnnotation (annotations/annotations.go)',
  details: 'IST0107 MisplacedAnnotation (Istio: warning) "Misplaced annotation: ... can only be applied to ...": an annotation istio/api defines for other resource kinds is on a Namespace, Service, Pod or Deployment (pod annotations belong on the Deployment\'s spec.template.metadata, not on the Deployment).',
});

export const UNKNOWN_ANNOTATION = defineRule({
  id: 'analyzer/unknown-annotation',
  family: 'analyzer',
  severity: 'warning',
  description: 'An annotation in Istio\'s namespace (*istio.io/) that Istio does not define, on a Namespace, Service, Pod or Deployment.',
  source: 'Istio analyzer IST0108 UnknownAnnotation (annotations/annotations.go)',
  details: 'IST0108 UnknownAnnotation (Istio: warning) "Unknown annotation: ...": an annotation whose prefix ends with istio.io (or kubernetes.io/ingress.class) on a Namespace, Service, Pod or Deployment is not one istio/api defines for the release (istio/api 1.30.3; for 1.31 its release-1.31 branch, which adds istio.io/use-waypoint-canary-weight). sidecar.istio.io/status, gateway.istio.io/controller-version and istio.io/rev are never reported.',
  releases: {
    '1.31': { note: 'istio/api release-1.31 (b8f8791) defines one more annotation, istio.io/use-waypoint-canary-weight (Service, ServiceEntry, Namespace)' },
  },
});

export const INVALID_ANNOTATION = defineRule({
  id: 'analyzer/invalid-annotation',
  family: 'analyzer',
  severity: 'warning',
  description: 'The value of an Istio annotation of a Pod (or Namespace, Service) is invalid, so the injector rejects or ignores it.',
  source: 'Istio analyzer IST0125 InvalidAnnotation (annotations/annotations.go, inject/validate.go)',
  details: 'IST0125 InvalidAnnotation (Istio: warning) "Invalid annotation ...: <Go error>": the value fails the injector\'s check of the annotation (pkg/kube/inject/validate.go): sidecar.istio.io/interceptionMode REDIRECT, TPROXY or NONE; status.sidecar.istio.io/port a port; readiness.status.sidecar.istio.io/initialDelaySeconds, periodSeconds, failureThreshold unsigned 32-bit integers; traffic.sidecar.istio.io/includeOutboundIPRanges ("*" or CIDRs) and excludeOutboundIPRanges comma-separated CIDRs; includeInboundPorts ("*" or ports), excludeInboundPorts and excludeOutboundPorts comma-separated ports; excludeInterfaces, kubevirtInterfaces and istio.io/reroute-virtual-interfaces interface names; prometheus.istio.io/merge-metrics a Go boolean; sidecar.istio.io/proxyCPU, proxyMemory, proxyCPULimit, proxyMemoryLimit Kubernetes quantities; proxy.istio.io/config a YAML mapping (its fields are not validated here).',
});

export const DEPRECATED_ANNOTATION = defineRule({
  id: 'analyzer/deprecated-annotation',
  family: 'analyzer',
  severity: 'note',
  description: 'A Namespace, Service, Pod or Deployment uses a deprecated Istio annotation.',
  source: 'Istio analyzer IST0135 DeprecatedAnnotation (annotations/annotations.go)',
  details: 'IST0135 DeprecatedAnnotation (Istio: info, here a note) "Annotation ... has been deprecated ... and may not work in future Istio versions.": an annotation istio/api marks deprecated (e.g. sidecar.istio.io/inject, in favor of the label of that name; not reported when the object has that label too).',
});

/** maturity.AlwaysIgnoredAnnotations: set by Istio itself. */
const ALWAYS_IGNORED = new Set(['sidecar.istio.io/status', 'gateway.istio.io/controller-version', 'istio.io/rev']);
const INJECT = 'sidecar.istio.io/inject';
const DEPRECATION_EXTRA: { [name: string]: string } = { [INJECT]: ' in favor of the "sidecar.istio.io/inject" label' };

/** annotations.go istioAnnotation */
function isIstioAnnotation(ann: string): boolean {
  return ann === 'kubernetes.io/ingress.class' || ann.split('/')[0].endsWith('istio.io');
}

const q = (s: string) => JSON.stringify(s);
const parseUintError = (s: string, bits: 16 | 32): string | undefined => {
  if (!/^\d+$/.test(s)) return `strconv.ParseUint: parsing ${q(s)}: invalid syntax`;
  return BigInt(s) >= 2n ** BigInt(bits) ? `strconv.ParseUint: parsing ${q(s)}: value out of range` : undefined;
};
/** parsePort (inject/validate.go) */
const portError = (s: string) => {
  const e = parseUintError(s.trim(), 16);
  return e ? `failed parsing port '${s}': ${e}` : undefined;
};
/** validatePortList / parsePorts */
const portListError = (parameter: string, ports: string): string | undefined => {
  const t = ports.trim();
  if (t === '') return undefined;
  for (const p of t.split(',')) {
    const e = portError(p);
    if (e) return `${parameter} invalid: failed parsing port '${p}': ${e}`;
  }
  return undefined;
};
/** netip.ParsePrefix, with Go's messages (the address's own message is simplified). */
const prefixError = (s: string): string | undefined => {
  const where = `netip.ParsePrefix(${q(s)})`;
  const slash = s.lastIndexOf('/');
  if (slash < 0) return `${where}: no '/'`;
  const addr = s.slice(0, slash);
  const bits = s.slice(slash + 1);
  if (addr.includes('%')) return `${where}: IPv6 zones cannot be present in a prefix`;
  if (!isIp(addr)) return `${where}: ParseAddr(${q(addr)}): unable to parse IP`;
  if (!/^(0|[1-9]\d*)$/.test(bits)) return `${where}: bad bits after slash: ${q(bits)}`;
  if (Number(bits) > (addr.includes(':') ? 128 : 32)) return `${where}: prefix length out of range`;
  return undefined;
};
/** validateCIDRList */
const cidrListError = (cidrs: string): string | undefined => {
  if (cidrs === '') return undefined;
  for (const c of cidrs.split(',')) {
    const e = prefixError(c);
    if (e) return `failed parsing cidr '${c}': ${e}`;
  }
  return undefined;
};
/** netutil.ValidateInterfaceNames */
const interfacesError = (v: string): string | undefined => {
  if (v === '') return undefined;
  for (const raw of v.split(',')) {
    const i = raw.trim();
    if (i === '') return 'empty interface name';
    if (i.length > 15) return `interface name ${q(i)} too long (max 15 chars)`;
    if (!/^[a-zA-Z][a-zA-Z0-9_.-]*$/.test(i)) return `interface name ${q(i)} contains invalid characters`;
  }
  return undefined;
};
const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?\d+)?$/;
/** validateResourceQuantity: no control characters, resource.ParseQuantity */
const quantityError = (v: string): string | undefined => {
  // unicode.IsControl: C0, DEL and C1
  if ([...v].some(ch => { const c = ch.codePointAt(0)!; return c < 0x20 || (c >= 0x7f && c <= 0x9f); })) return 'value contains control characters';
  return QUANTITY.test(v) ? undefined : "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
};
const BOOLS = new Set(['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False']);

/** inject.AnnotationValidation: the Go error text of a value, or undefined when it is valid. */
export const ANNOTATION_VALIDATION: { readonly [name: string]: (v: string) => string | undefined } = {
  'sidecar.istio.io/interceptionMode': v => (['REDIRECT', 'TPROXY', 'NONE'].includes(v) ? undefined : `interceptionMode invalid, use REDIRECT,TPROXY,NONE: ${v}`),
  'status.sidecar.istio.io/port': v => { const e = portError(v); return e ? `excludeInboundPorts invalid: ${e}` : undefined; },
  'readiness.status.sidecar.istio.io/initialDelaySeconds': v => parseUintError(v, 32),
  'readiness.status.sidecar.istio.io/periodSeconds': v => parseUintError(v, 32),
  'readiness.status.sidecar.istio.io/failureThreshold': v => parseUintError(v, 32),
  'traffic.sidecar.istio.io/includeOutboundIPRanges': v => { const e = v === '*' ? undefined : cidrListError(v); return e ? `includeIPRanges invalid: ${e}` : undefined; },
  'traffic.sidecar.istio.io/excludeOutboundIPRanges': v => { const e = cidrListError(v); return e ? `excludeIPRanges invalid: ${e}` : undefined; },
  'traffic.sidecar.istio.io/includeInboundPorts': v => (v === '*' ? undefined : portListError('includeInboundPorts', v)),
  'traffic.sidecar.istio.io/excludeInboundPorts': v => portListError('excludeInboundPorts', v),
  'traffic.sidecar.istio.io/excludeOutboundPorts': v => portListError('excludeOutboundPorts', v),
  'traffic.sidecar.istio.io/excludeInterfaces': interfacesError,
  'traffic.sidecar.istio.io/kubevirtInterfaces': interfacesError,
  'istio.io/reroute-virtual-interfaces': interfacesError,
  'prometheus.istio.io/merge-metrics': v => (BOOLS.has(v) ? undefined : `strconv.ParseBool: parsing ${q(v)}: invalid syntax`),
  'proxy.istio.io/config': v => {
    try {
      const doc = yaml().parse(v);
      return doc === null || doc === undefined || (typeof doc === 'object' && !Array.isArray(doc)) ? undefined : 'failed to convert to apply proxy config: not a YAML mapping';
    } catch (e) {
      return `failed to convert to apply proxy config: ${(e as Error).message.split('\n')[0]}`;
    }
  },
  'sidecar.istio.io/proxyCPU': quantityError,
  'sidecar.istio.io/proxyMemory': quantityError,
  'sidecar.istio.io/proxyCPULimit': quantityError,
  'sidecar.istio.io/proxyMemoryLimit': quantityError,
};

let yamlModule: typeof YAML | undefined;
/** The yaml package, loaded on the first proxy.istio.io/config annotation: requiring the validator does not load it. */
function yaml(): typeof YAML {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (yamlModule ??= require('yaml') as typeof YAML);
}

const KINDS: ReadonlyArray<readonly [string, string]> = [['v1', 'Namespace'], ['v1', 'Service'], ['v1', 'Pod'], ['apps/v1', 'Deployment']];

/** Reports IST0107, IST0108, IST0125 and IST0135 on the Namespaces, Services, Pods and Deployments of the run. */
export function checkAnnotations(idx: MeshIndex, rep: Reporter): void {
  const known = istioAnnotations(rep.release);
  const objs: Obj[] = KINDS.flatMap(([v, k]) => kubeObjects(idx.objects, v, k)).sort((a, b) => a.index - b.index);
  for (const o of objs) {
    const labels = labelsOf(o.raw?.metadata);
    for (const [ann, value] of Object.entries(annotationsOf(o.raw?.metadata))) {
      if (!isIstioAnnotation(ann) || ALWAYS_IGNORED.has(ann)) continue;
      const field = `metadata.annotations[${q(ann)}]`;
      const def = known.get(ann);
      if (!def) {
        rep.add(o, UNKNOWN_ANNOTATION, field, `IST0108 Unknown annotation: ${ann}`,
          `Remove the annotation or fix its name: Istio ${rep.release} defines no annotation ${ann} (see https://istio.io/latest/docs/reference/config/annotations/).`);
        continue;
      }
      const [, deprecated, resources] = def;
      if (deprecated && !(ann === INJECT && Object.prototype.hasOwnProperty.call(labels, INJECT))) {
        rep.add(o, DEPRECATED_ANNOTATION, field, `IST0135 Annotation ${q(ann)} has been deprecated${DEPRECATION_EXTRA[ann] ?? ''} and may not work in future Istio versions.`,
          ann === INJECT ? 'Use the sidecar.istio.io/inject label instead of the annotation.' : `Stop using ${ann}; see its entry in Istio's annotation reference for what replaces it.`);
      }
      if (resources.includes('Any')) continue;
      if (!(resources as readonly string[]).includes(o.kind)) {
        rep.add(o, MISPLACED_ANNOTATION, field, `IST0107 Misplaced annotation: ${ann} can only be applied to ${resources.join(', ')}`,
          o.kind === 'Deployment' && resources.includes('Pod')
            ? `Move ${ann} to spec.template.metadata.annotations, where it applies to the Deployment's pods.`
            : `Move ${ann} to a ${resources.join(' or ')}, or remove it: Istio ignores it on a ${o.kind}.`);
        continue;
      }
      const check = ANNOTATION_VALIDATION[ann];
      const problem = check ? check(typeof value === 'string' ? value : String(value)) : undefined;
      if (problem) {
        rep.add(o, INVALID_ANNOTATION, field, `IST0125 Invalid annotation ${ann}: ${problem}`,
          `Give ${ann} a valid value.`);
      }
    }
  }
}
