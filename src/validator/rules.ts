import type { Severity } from './types';

/** Description of one validation rule. */
export interface RuleInfo {
  readonly id: string;
  readonly category: 'schema' | 'cel' | 'istio' | 'wiring' | 'analyzer';
  /** Severity unless downgraded. */
  readonly severity: Severity;
  readonly description: string;
}

/** Annotation that downgrades errors of the listed rule ids (comma separated) to warnings for one object. */
export const WARN_ANNOTATION = 'validation.cdk8s-istio-egress.io/warn';

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
  // offline analyzers (istioctl analyze equivalents, cross-object) and the pitfalls Istio users hit most: src/validator/analyzers.ts, pitfalls.ts
  r('analyzer/gateway-not-found', 'analyzer', 'error', 'IST0101 ReferencedResourceNotFound "Referenced gateway not found": a VirtualService spec.gateways or match.gateways entry names no Gateway of the output ("mesh" is implicit). A warning when the Gateway would live in another namespace without Gateways in the output (installed out of band).'),
  r('analyzer/match-gateway-not-bound', 'analyzer', 'error', 'A match.gateways entry of a VirtualService route is not in its spec.gateways (default [mesh]): the route never matches (kiali/kiali#2932; istioctl analyze does not check it).'),
  r('analyzer/host-not-in-gateway', 'analyzer', 'error', 'IST0132 VirtualServiceHostNotFoundInGateway "one or more host [...] defined in VirtualService ... not found in Gateway ...": no host of the VirtualService is served by a server of a Gateway of the output it binds to (Istio: warning; here an error, the binding has no effect).'),
  r('analyzer/conflicting-gateways', 'analyzer', 'error', 'IST0145 ConflictingGateways "Conflict with gateways ... (workload selector ..., port ..., hosts ...)": two Gateways with the same selector serve the same port and overlapping hosts.'),
  r('analyzer/gateway-selector', 'analyzer', 'warning', 'IST0101 ReferencedResourceNotFound "Referenced selector not found": a Gateway selector selects no pod template of the output; the gateway must be installed out of band (istioctl / Helm chart labels istio: egressgateway).'),
  r('analyzer/sidecar-selector-conflict', 'analyzer', 'error', 'IST0110 ConflictingSidecarWorkloadSelectors: two Sidecars in a namespace select the same workload (a pod template of the output, or identical selectors).'),
  r('analyzer/sidecar-multiple-default', 'analyzer', 'error', 'IST0111 MultipleSidecarsWithoutWorkloadSelectors: more than one Sidecar without workloadSelector in a namespace.'),
  r('analyzer/destination-host', 'analyzer', 'error', 'IST0101 ReferencedResourceNotFound "Referenced host not found": a route destination host is neither a ServiceEntry host visible from the VirtualService nor a Service of the output. A warning for cluster-local hosts (*.svc.cluster.local, short names), whose Service may be installed out of band.'),
  r('analyzer/destination-port-required', 'analyzer', 'error', 'IST0112 VirtualServiceDestinationPortSelectorRequired: a route destination without port to a ServiceEntry or Service of the output that exposes several ports.'),
  r('analyzer/destination-port', 'analyzer', 'error', 'IST0101 ReferencedResourceNotFound "Referenced host:port not found": a route destination port is not a port of the ServiceEntry (or Service) of the output for that host.'),
  r('analyzer/destination-subset', 'analyzer', 'error', 'IST0101 ReferencedResourceNotFound "Referenced host+subset in destinationrule not found": no DestinationRule of the output defines the subset a route uses (503 NC cluster_not_found).'),
  r('analyzer/subset-selects-no-pods', 'analyzer', 'error', 'IST0173 DestinationRuleSubsetNotSelectPods: the labels of a DestinationRule subset select no pod template behind the Service (or no endpoint of the ServiceEntry) of the output for its host (503 UH).'),
  r('analyzer/unknown-dr-host', 'analyzer', 'warning', 'IST0174 UnknownDestinationRuleHost: a DestinationRule host matches no ServiceEntry or Service of the output; it must exist out of band or the rule applies to nothing.'),
  r('analyzer/se-address-collision', 'analyzer', 'warning', 'IST0134 ServiceEntryAddressesRequired, across objects: ServiceEntries for different hosts share a TCP (or unset-protocol) port without spec.addresses; they share one 0.0.0.0:<port> listener and only one of them gets the traffic unless DNS auto-allocation is on.'),
  r('wiring/double-tls', 'wiring', 'error', 'Pitfall (istio.io network-issues "double TLS"; istio/istio#17031): a DestinationRule originates TLS (SIMPLE/MUTUAL) on a ServiceEntry port whose protocol is HTTPS or TLS, and no http route sends plaintext to it: the application already speaks TLS there ("wrong version number", 400 "plain HTTP request was sent to HTTPS port").'),
  r('wiring/dr-port-is-target-port', 'wiring', 'error', 'Pitfall (istio.io network-issues; egress TLS origination port model): a DestinationRule portLevelSettings port is the targetPort of a ServiceEntry port instead of its number: the settings never apply and nothing is originated.'),
  r('wiring/undeclared-plaintext-port', 'wiring', 'error', 'Pitfall (istio/istio#21914): a VirtualService mesh route matches a port the application calls that the ServiceEntry of the host does not declare: there is no listener for it and the route never applies.'),
  r('wiring/credential-namespace', 'wiring', 'error', 'Pitfall (istio/istio#33368): the credentialName Secret is in the output but in the wrong namespace for the proxy that reads it (the DestinationRule namespace for a sidecar with workloadSelector; the egress gateway namespace for a DestinationRule applied at a gateway).'),
  r('wiring/credential-role-narrowed', 'wiring', 'error', 'Pitfall (istio/istio#52728, istio.io#11804): a Role bound to the service account of a credential-reading workload grants secrets access narrowed with resourceNames or without "list"; istiod checks "list" on all secrets ("Secret is not supplied by SDS").'),
  r('wiring/dr-visibility', 'wiring', 'error', 'Pitfall (istio/istio#30730, egress-gateway page warning): the DestinationRule that defines a routed subset (or originates TLS at a gateway) is not on the DestinationRule lookup path of the proxy that needs it (its own namespace, then the service namespace, then istio-system, with exportTo): 503 NC cluster_not_found or no origination.'),
  r('wiring/gateway-route-tls-mismatch', 'wiring', 'error', 'Pitfall (istio.io network-issues "gateway mismatch"; istio/istio#37293): a VirtualService binds tls: routes to a TLS-terminating or plain Gateway server, or http: routes to a PASSTHROUGH server: the gateway listener drops them (404 / no filter chain).'),
  r('wiring/gateway-resolution-none', 'wiring', 'error', 'Pitfall (egress-gateway page warning): a route sends traffic from an egress gateway to a ServiceEntry host with resolution NONE: the original destination is the gateway itself, which routes to itself in a loop.'),
  r('wiring/ca-verifies-server', 'wiring', 'error', 'Pitfall (istio/istio#39166, CERTIFICATE_VERIFY_FAILED): the ca.crt of a credentialName Secret of the output does not verify the server certificate of a Secret of the output mounted by the pods behind the destination host.'),
  r('wiring/certificate-san', 'wiring', 'error', 'Pitfall (istio/istio#48398, istio.io#15847): the server certificate (Secret of the output behind the destination host) has no subjectAltName matching subjectAltNames, sni or the host that Envoy verifies (a CN is not enough).'),
];

const byId = new Map(RULES.map(x => [x.id, x]));
export function ruleInfo(id: string): RuleInfo | undefined {
  return byId.get(id);
}
