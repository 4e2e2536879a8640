import type { Severity } from './types';

/** Description of one validation rule. */
export interface RuleInfo {
  readonly id: string;
  readonly category: 'schema' | 'cel' | 'istio' | 'wiring';
  /** Severity unless downgraded. */
  readonly severity: Severity;
  readonly description: string;
}

/** Annotation that downgrades errors of the listed rule ids (comma separated) to warnings for one object. */
export const WARN_ANNOTATION = 'validation.cdk8s-istio-egress.io/warn';

/**
 * Annotation (value `"true"`) on a DestinationRule or RoleBinding emitted for a client that is deployed
 * elsewhere (`MeshWorkload.fromAttributes`): the wiring checks that need the client's pods or service
 * account in the output (selector matches a workload, sidecar injection, service account exists and is used)
 * report a warning that they could not be made, instead of an error.
 */
export const REMOTE_CLIENT_ANNOTATION = 'validation.cdk8s-istio-egress.io/client-deployed-elsewhere';

const r = (id: string, category: RuleInfo['category'], severity: Severity, description: string): RuleInfo => ({ id, category, severity, description });

/** All rules of the validator, for documentation. */
export const RULES: readonly RuleInfo[] = [
  // structural schema (CRD openAPIV3Schema / upstream Kubernetes OpenAPI)
  r('schema/invalid-object', 'schema', 'error', 'The document is not a Kubernetes object (needs apiVersion, kind, metadata.name).'),
  r('schema/unknown-kind', 'schema', 'warning', 'No schema is known for this apiVersion/kind; the object is not validated structurally.'),
  r('schema/unserved-version', 'schema', 'error', 'The CRD of this kind does not serve the version named by apiVersion.'),
  r('schema/unknown-field', 'schema', 'error', 'Field not declared by the schema (rejected like kubectl apply --validate=strict).'),
  r('schema/type', 'schema', 'error', 'Value has the wrong type (including x-kubernetes-int-or-string).'),
  r('schema/enum', 'schema', 'error', 'Value is not one of the enum values of the schema.'),
  r('schema/required', 'schema', 'error', 'A required field is missing.'),
  r('schema/range', 'schema', 'error', 'minimum/maximum, minLength/maxLength, minItems/maxItems or min/maxProperties violated.'),
  r('schema/pattern', 'schema', 'error', 'String does not match the schema pattern.'),
  r('schema/format', 'schema', 'error', 'Value does not match the schema format (int32, int64, date-time, byte).'),
  r('schema/duplicate', 'schema', 'error', 'Duplicate entries in an x-kubernetes-list-type set or map list.'),
  r('schema/one-of', 'schema', 'error', 'oneOf/anyOf/allOf/not constraint violated (Istio: mutually exclusive fields).'),
  r('schema/metadata-name', 'schema', 'error', 'metadata.name / metadata.namespace is not a valid DNS-1123 name for this kind.'),
  r('schema/namespace-scope', 'schema', 'error', 'A cluster-scoped object carries metadata.namespace.'),
  // CEL
  r('cel/rule', 'cel', 'error', 'An x-kubernetes-validations CEL rule of the CRD evaluated to false.'),
  r('cel/unsupported', 'cel', 'warning', 'A CEL rule could not be compiled or evaluated offline (reported, not silently passed).'),
  // Istio semantics (validating webhook / analyzers)
  r('istio/se-host', 'istio', 'error', 'ServiceEntry host must be a DNS name (optionally *.-prefixed wildcard), not an IP address or "*".'),
  r('istio/se-ports', 'istio', 'error', 'ServiceEntry ports: present, unique by number and by name, DNS-label names, supported protocol, number/targetPort in 1..65535.'),
  r('istio/se-resolution', 'istio', 'error', 'ServiceEntry resolution vs hosts/endpoints/addresses: DNS needs FQDN hosts (no wildcard) without endpoints, NONE takes no endpoints, STATIC needs IP endpoints or a workloadSelector, CIDR addresses only with NONE/STATIC, several hosts need HTTP/TLS ports.'),
  r('istio/dr-host', 'istio', 'error', 'DestinationRule host must be a valid (wildcard) DNS name.'),
  r('istio/tls-settings', 'istio', 'error', 'ClientTLSSettings: MUTUAL needs credentialName or clientCertificate+privateKey; credentialName excludes clientCertificate/privateKey/caCertificates; ISTIO_MUTUAL takes no certificates.'),
  r('istio/credential-without-selector', 'istio', 'error', 'credentialName on a DestinationRule without workloadSelector: sidecars ignore it and send plaintext.'),
  r('istio/port-level-settings', 'istio', 'error', 'portLevelSettings need a port, unique per number, that exists on the ServiceEntry of the same host (when that ServiceEntry is in the output).'),
  r('istio/export-to', 'istio', 'error', 'exportTo values are ".", "*", "~" or namespace names, without duplicates, "*"/"~" alone; a DestinationRule with workloadSelector exports only to its own namespace. Also the networking.istio.io/exportTo annotation of Services.'),
  // wiring across the objects of one synth
  r('wiring/namespace-exists', 'wiring', 'warning', 'Objects live in a namespace that is neither in the output nor "default"/"kube-system"/"istio-system".'),
  r('wiring/selector-matches-workload', 'wiring', 'error', 'A DestinationRule workloadSelector or Service selector selects no pod template of the output in its namespace.'),
  r('wiring/sidecar-injection', 'wiring', 'error', 'A workload selected by a DestinationRule that originates TLS gets no sidecar (pod or namespace opts out, or neither opts in): requests leave in plaintext. A warning when its namespace is not in the output.'),
  r('wiring/rolebinding-role', 'wiring', 'error', 'A RoleBinding references a Role that is not in the output (same namespace).'),
  r('wiring/rolebinding-subject', 'wiring', 'error', 'A RoleBinding binds a ServiceAccount that is not in the output.'),
  r('wiring/serviceaccount-used', 'wiring', 'error', 'A ServiceAccount bound by a RoleBinding is used by no pod of the output.'),
  r('wiring/serviceaccount-exists', 'wiring', 'error', 'A pod runs as a ServiceAccount (not "default") that is not in the output.'),
  r('wiring/configmap-exists', 'wiring', 'error', 'A ConfigMap mounted (or referenced) by a pod is not in the output.'),
  r('wiring/secret-exists', 'wiring', 'warning', 'A Secret mounted by a pod or named by credentialName is neither in the output nor issued by a cert-manager Certificate of the output: it must exist out of band.'),
  r('wiring/credential-rbac', 'wiring', 'error', 'The namespace of a DestinationRule credentialName has no Role granting list (istiod checks list; get/watch recommended) on secrets bound to the service account of the selected workload.'),
  r('wiring/port-chain', 'wiring', 'error', 'ServiceEntry targetPort -> Service port/targetPort -> containerPort do not line up when the ServiceEntry host is a Service of the output.'),
  r('wiring/config-key', 'wiring', 'error', 'A mounted ConfigMap/Secret of the output lacks the key (items, subPath or a file that a config names).'),
  r('wiring/nginx-paths', 'wiring', 'error', 'A file named by nginx.conf (ssl_certificate, ssl_certificate_key, ssl_client_certificate, ssl_trusted_certificate, ssl_crl, include) is not under a volumeMount of the container that mounts that nginx.conf, or its key is missing.'),
  r('wiring/image-user', 'wiring', 'error', 'The security context cannot start the image (nginx runs as root; curlimages/curl has a non-numeric user; nginx needs writable /var/cache/nginx and /var/run).'),
  r('wiring/image-tag', 'wiring', 'warning', 'Image tag is "latest" or missing (not pinned).'),
];

const byId = new Map(RULES.map(x => [x.id, x]));
export function ruleInfo(id: string): RuleInfo | undefined {
  return byId.get(id);
}
