import type { Severity } from './types';

/** Description of one validation rule. */
export interface RuleInfo {
  readonly id: string;
  readonly category: 'schema' | 'cel' | 'istio' | 'wiring' | 'analyzer';
  /** Severity unless downgraded (errors only) or given otherwise by the finding (see the description). */
  readonly severity: Severity;
  readonly description: string;
}

/** Annotation that downgrades errors of the listed rule ids (comma separated) to warnings for one object. */
export const WARN_ANNOTATION = 'validation.cdk8s-istio-egress.io/warn';

/**
 * Annotation (value `"true"`) on a DestinationRule or RoleBinding emitted for a client that is deployed
 * elsewhere (`MeshWorkload.fromAttributes`): the wiring checks that need the client's pods or service
 * account in the output (selector matches a workload, sidecar injection, service account exists and is used)
 * report a note that they could not be made, instead of an error.
 */
export const REMOTE_CLIENT_ANNOTATION = 'validation.cdk8s-istio-egress.io/client-deployed-elsewhere';

/**
 * Annotation (value `"true"`) on an object emitted for a gateway deployed elsewhere
 * (`GatewayApiEgressGateway.fromAttributes`): what the gateway's owner must grant is not in the output (the
 * ReferenceGrant that lets an HTTPRoute of another namespace send to the gateway's Service, on the HTTPRoute;
 * the Role and RoleBinding that let the gateway read credentials, on the DestinationRule with
 * `credentialName`), so the checks that need it report a warning that they could not be made, instead of an
 * error.
 */
export const GATEWAY_ELSEWHERE_ANNOTATION = 'validation.cdk8s-istio-egress.io/gateway-deployed-elsewhere';

const r = (id: string, category: RuleInfo['category'], severity: Severity, description: string): RuleInfo => ({ id, category, severity, description });

/** All rules of the validator, for documentation. */
export const RULES: readonly RuleInfo[] = [
  // structural schema (CRD openAPIV3Schema / upstream Kubernetes OpenAPI)
  r('schema/invalid-object', 'schema', 'error', 'The document is not a Kubernetes object (needs apiVersion, kind, metadata.name).'),
  r('schema/unknown-kind', 'schema', 'error', 'No schema is known for this apiVersion/kind: an error when its API group is known (a misspelt kind or version), a note (not validated structurally) for other groups.'),
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
  r('cel/unsupported', 'cel', 'note', 'A CEL rule could not be compiled or evaluated offline: a note that it was not checked (reported, not silently passed).'),
  // Istio semantics (validating webhook / analyzers): ServiceEntry, DestinationRule, Sidecar, WorkloadSelector (area: conformance-dr)
  r('istio/metadata', 'istio', 'error', 'validateMetadata: the istio.io/dry-run annotation (AuthorizationPolicy only) and internal.istio.io/webhook-always-reject on ServiceEntry, DestinationRule and Sidecar.'),
  r('istio/se-host', 'istio', 'error', 'ValidateServiceEntry hosts: at least one; not "*"; agent.ValidateWildcardDomain (DNS labels, "*" only as first label, no all-numeric top-level domain, so no IP addresses); warning for partial wildcards (agent.ValidatePartialWildCard).'),
  r('istio/se-addresses', 'istio', 'error', 'ServiceEntry addresses: agent.ValidateIPSubnet (error); warning for TCP or unset-protocol ports without addresses when no address is auto-allocated (resolution NONE, or the networking.istio.io/enable-autoallocate-ip: "false" label) — ValidateServiceEntry and analyzer IST0134 (ServiceEntryAddressesRequired).'),
  r('istio/se-ports', 'istio', 'error', 'ValidateServiceEntry ports: not null, unique by name and number, ValidatePortName, ValidateProtocol, agent.ValidatePort for number and targetPort; warning when there are no ports (this project: nothing is captured).'),
  r('istio/se-resolution', 'istio', 'error', 'ValidateServiceEntry resolution: CIDR addresses only with NONE/STATIC; NONE takes no endpoints (warning with a workloadSelector); DNS/DNS_ROUND_ROBIN hosts FQDN without endpoints, DNS_ROUND_ROBIN at most one endpoint, warning for several hosts with addresses and a TCP port; DYNAMIC_DNS wildcard hosts, no addresses or endpoints, HTTP/TLS/GRPC/HTTP2 ports, location and waypoint; several hosts need HTTP or TLS ports unless NONE. Warning (this project) for STATIC without endpoints or workloadSelector.'),
  r('istio/se-endpoints', 'istio', 'error', 'ServiceEntry endpoints (validateWorkloadEntry for STATIC, the DNS branch of ValidateServiceEntry): not null; address IP (STATIC) or FQDN/IP (DNS), unix:// absolute path without ports and with exactly one service port, address required unless network is set (then a warning); ports named by spec.ports, valid names and numbers; labels.Instance.Validate.'),
  r('istio/se-workload-selector', 'istio', 'error', 'ValidateAlphaWorkloadSelector for ServiceEntry: no empty key, no "*" (warning without labels); only one of workloadSelector and endpoints.'),
  r('istio/dr-host', 'istio', 'error', 'ValidateDestinationRule: host passes agent.ValidateWildcardDomain.'),
  r('istio/dr-subsets', 'istio', 'error', 'ValidateDestinationRule subsets: not null, unique names, validateSubsetName (DNS label), labels.Instance.Validate (label keys and values).'),
  r('istio/dr-workload-selector', 'istio', 'error', 'validateWorkloadSelector for DestinationRule: no empty key, no "*"; warning without matchLabels.'),
  r('istio/traffic-policy', 'istio', 'error', 'validateTrafficPolicy: at least one field; not tunnel and proxyProtocol together; validateTunnelSettings (CONNECT/POST, FQDN or IP target host, target port); validateProxyProtocol.'),
  r('istio/port-level-settings', 'istio', 'error', 'validatePortTrafficPolicies: not null, a port, at least one of tls/loadBalancer/connectionPool/outlierDetection. This project: a port.number, unique per number, that exists on the ServiceEntry of the same host (when that ServiceEntry is in the output).'),
  r('istio/tls-settings', 'istio', 'error', 'agent.ValidateTLS: insecureSkipVerify excludes caCertificates, subjectAltNames (and credentialName with SIMPLE); credentialName excludes clientCertificate/privateKey/caCertificates/caCrl; MUTUAL needs credentialName or clientCertificate+privateKey; configmap:// credentialName in the own namespace. Warnings (this project): certificates with ISTIO_MUTUAL or DISABLE have no effect.'),
  r('istio/tls-ca-certificates', 'istio', 'note', 'Analyzers IST0128/IST0129 (CaCertificateAnalyzer), same condition: SIMPLE or MUTUAL at top level or port level without caCertificates (and not credentialName with a workloadSelector). istioctl analyze warns that the server certificate is not verified; since Istio 1.24 the proxy verifies it against its OS root CAs (a gateway: the ca.crt of credentialName), so a note saying so; a warning with insecureSkipVerify: true, which verifies nothing.'),
  r('istio/tls-server-name', 'istio', 'warning', 'This project (Istio sets Envoy auto_san_validation only without sni): SIMPLE or MUTUAL with sni and without subjectAltNames on the DestinationRule or the ServiceEntry: no name of the server certificate is checked; reported when, without caCertificates and credentialName, the OS root CAs verify it, so that any publicly trusted certificate for any domain passes.'),
  r('istio/tls-sni', 'istio', 'error', 'This project (Istio accepts it): sni must be a DNS host name (error), and not an IP address (warning: RFC 6066 forbids IP literals in SNI).'),
  r('istio/credential-without-selector', 'istio', 'error', 'This project (Istio accepts it): credentialName on a DestinationRule without workloadSelector whose host no VirtualService routes from a Gateway and no HTTPRoute attached to a Gateway has as backend: sidecars ignore it and send plaintext (gateways read it).'),
  r('istio/load-balancer', 'istio', 'error', 'validateLoadBalancer: consistentHash httpCookie name and unique non-empty attribute names, maglev tableSize set, prime and below 5000011, minimumRingSize deprecated (warning) and not with maglev/ringHash; warmup duration required and valid, minimumPercent <= 100, aggression >= 1.'),
  r('istio/locality-lb', 'istio', 'error', 'agent.ValidateLocalityLbSetting and validateLocalities: not distribute and failover together, no topology labels in failoverPriority with failover, weights 1..100 adding up to 100, localities without overlap and with one trailing "*" at most, failover between different regions without "/" or "*"; warning when failover has no outlierDetection.'),
  r('istio/outlier-detection', 'istio', 'error', 'validateOutlierDetection: interval and baseEjectionTime durations (agent.ValidateDuration: at least 1ms, whole milliseconds), percentages 0..100, consecutiveLocalOriginFailures needs splitExternalLocalOriginErrors; warning for the deprecated consecutiveErrors.'),
  r('istio/connection-pool', 'istio', 'error', 'validateConnectionPool: tcp or http set; counts non-negative; durations (connectTimeout, maxConnectionDuration, idleTimeout unless 0, tcpKeepalive, http idleTimeout) at least 1ms and whole milliseconds; not useClientProtocol with h2UpgradePolicy UPGRADE.'),
  r('istio/export-to', 'istio', 'error', 'validateExportTo: ".", "*" or DNS-label namespaces, no duplicates (also "." and the own namespace), "*" alone, "~" only on ServiceEntries and alone; a DestinationRule with workloadSelector exports only to its own namespace. Also the networking.istio.io/exportTo annotation of Services.'),
  r('istio/sidecar', 'istio', 'error', 'ValidateSidecar: egress, ingress, outboundTrafficPolicy or inboundConnectionPool must be set.'),
  r('istio/sidecar-workload-selector', 'istio', 'error', 'ValidateAlphaWorkloadSelector for Sidecar: no empty key, no "*"; warning without labels.'),
  r('istio/sidecar-ingress', 'istio', 'error', 'ValidateSidecar ingress: not null, a port (validateSidecarIngressPortAndBind: name, protocol, number, bind IP), no targetPort, unique ports, defaultEndpoint 127.0.0.1/0.0.0.0/[::1]/[::]:port or unix://, tls (no subjectAltNames, httpsRedirect, credentialName(s), tlsCertificates, ISTIO_MUTUAL or AUTO_PASSTHROUGH; HTTPS/TLS port; validateTLSOptions); warning for HTTP pool settings on a non-HTTP port.'),
  r('istio/sidecar-egress', 'istio', 'error', 'ValidateSidecar egress: not null, one port-less catch-all listener at the end, validateSidecarEgressPortBindAndCaptureMode (port 0 needs a unique unix:// bind and captureMode DEFAULT/NONE), unique ports, no targetPort, hosts of form namespace/dnsName (agent.ValidateNamespaceSlashWildcardHostname: no short names, no partial wildcards); warnings for duplicated hosts and */* with others.'),
  r('istio/sidecar-outbound-traffic-policy', 'istio', 'error', 'validateSidecarOutboundTrafficPolicy: egressProxy only with ALLOW_ANY, FQDN host, a port (validateDestination).'),
  // Istio conformance: Gateway and VirtualService (webhook rules of istio 1.30.3 pkg/config/validation)
  r('istio/gw-name', 'istio', 'error', 'Gateway name is one DNS label, no dots (ValidateGateway).'),
  r('istio/gw-servers', 'istio', 'error', 'A Gateway has servers with unique port names; tls.httpsRedirect only on HTTP servers, a warning (ValidateGateway).'),
  r('istio/gw-server-hosts', 'istio', 'error', 'Server hosts: [namespace/]host with namespace ".", "*" or a DNS label, host an FQDN, IP, "*" or "*."-wildcard; no short names, no partial wildcards (validateServer, agent.ValidateNamespaceSlashWildcardHostname).'),
  r('istio/gw-server-port', 'istio', 'error', 'Server port: supported protocol, number 1..65535 (0 only with a unix:// bind), a name, no targetPort; bind an IP or absolute unix:// path (validateServerPort, validateServerBind).'),
  r('istio/gw-server-tls', 'istio', 'error', 'HTTPS/TLS servers need tls, other servers none (HTTP: only passthrough/httpsRedirect); one certificate source; SIMPLE/MUTUAL need certificate and key, MUTUAL a CA bundle; ISTIO_MUTUAL takes no certificates; CRL rules; warnings for ignored certificates, cipher suites and TLS < 1.2 (validateServer, validateTLSOptions).'),
  r('istio/vs-hosts', 'istio', 'error', 'VirtualService hosts are DNS names or IPs (no URL, no host:port), "*" only when bound to gateways, no duplicates incl. wildcard overlaps (ValidateVirtualService, agent.ValidateWildcardDomain*).'),
  r('istio/vs-gateways', 'istio', 'error', 'Gateway references are <namespace>/<name> DNS labels or an FQDN (legacy name.namespace form: a warning) (validateGatewayNames).'),
  r('istio/vs-delegate', 'istio', 'error', 'Delegate VirtualServices (no hosts) have no gateways, tls or tcp and do not delegate again; root routes that delegate have no route or redirect (ValidateVirtualService, validateHTTPRouteConflict).'),
  r('istio/vs-routes', 'istio', 'error', 'http, tls or tcp present; an HTTP route has route, redirect or directResponse and no conflicting combination; TLS routes have matches and destinations, TCP routes destinations (validateHTTPRouteConflict, validateTLSRoute, validateTCPRoute).'),
  r('istio/vs-match', 'istio', 'error', 'Matches: header names, non-null header matches, no empty prefix, RE2 regexes up to 1024 characters, ports, source labels and namespaces, gateways; JWT claim routing only on gateways; SNI hosts valid and covered by the hosts (an IP: a warning); subnets (validateHTTPRouteMatchRequest, validateStringMatch, validateTLSMatch, validateSniHost, validateTCPMatch).'),
  r('istio/vs-destination', 'istio', 'error', 'Destinations: present, host a DNS name (not "*", not host:port or URL), subset a DNS label, port 1..65535, weights >= 0 and not all 0 (validateDestination, validateHTTPRouteDestinations, validateRouteDestinations).'),
  r('istio/vs-headers', 'istio', 'error', 'Header operations: non-empty names, no ":"-prefixed or Host header (":authority" only in request add/set), values with well-formed %VARIABLE% expressions; authority rewritten in one place only (ValidateHTTPHeader*, ValidateHTTPHeaderValue, validateAuthorityRewrite).'),
  r('istio/vs-duration', 'istio', 'error', 'timeout, retries.perTryTimeout/backoff, fault delays and corsPolicy.maxAge: at least 1ms and whole milliseconds (agent.ValidateDuration).'),
  r('istio/vs-retries', 'istio', 'error', 'retries: attempts >= 0, no policy with attempts 0, retryOn of Envoy policies or HTTP status codes (validateHTTPRetry).'),
  r('istio/vs-fault', 'istio', 'error', 'fault: abort and/or delay, percentages 0 or 0.0001..100, HTTP status 200..599 or a gRPC status name, no http2Error or exponentialDelay; abort without error type: a warning (validateHTTPFaultInjection*).'),
  r('istio/vs-cors', 'istio', 'error', 'corsPolicy: non-empty origins with RE2 regexes, known methods, header names, maxAge in whole seconds (validateCORSPolicy).'),
  r('istio/vs-redirect', 'istio', 'error', 'redirect (uri/authority/scheme/port, 3xx code, http/https), rewrite (one of uri or uriRegexRewrite, valid regex) and directResponse (status 200..599, body under 1 MB; over 100 KB a warning) (validateHTTPRedirect, validateHTTPRewrite, validateHTTPDirectResponse).'),
  r('istio/vs-mirror', 'istio', 'error', 'mirror/mirrors: not both, destinations present and valid, percentages 0..100; mirrorPercent deprecated, a warning (validateHTTPRoute, validateHTTPMirrors).'),
  r('istio/vs-unreachable-rule', 'istio', 'warning', 'A rule after a rule without matches, a duplicate match, or a URI prefix match covered by an earlier one is never used (analyzeUnreachableHTTPRules/TCPRules/TLSRules).'),
  // wiring across the objects of one synth
  r('wiring/namespace-exists', 'wiring', 'note', 'Could not check: objects live in a namespace that is neither in the output nor "default"/"kube-system"/"istio-system"; it must exist before applying.'),
  r('wiring/selector-matches-workload', 'wiring', 'error', 'A DestinationRule workloadSelector or Service selector selects no pod template of the output in its namespace (a note when the client is deployed elsewhere).'),
  r('wiring/sidecar-injection', 'wiring', 'error', 'A workload selected by a DestinationRule that originates TLS gets no sidecar (pod or namespace opts out, or neither opts in): requests leave in plaintext. A note (could not check) when its namespace is not in the output or the client is deployed elsewhere.'),
  r('wiring/duplicate-object', 'wiring', 'error', 'Two different objects of one API group, kind, namespace and name in the output: applied together, the later replaces the earlier (identical copies pass).'),
  r('wiring/rolebinding-role', 'wiring', 'error', 'A RoleBinding references a Role that is not in the output (same namespace). A note (could not check) for a ClusterRole not in an output that has ClusterRoles.'),
  r('wiring/rolebinding-subject', 'wiring', 'error', 'A RoleBinding binds a ServiceAccount that is not in the output (a note when the client is deployed elsewhere).'),
  r('wiring/serviceaccount-used', 'wiring', 'error', 'A ServiceAccount bound by a RoleBinding is used by no pod of the output (a note when the client is deployed elsewhere).'),
  r('wiring/serviceaccount-exists', 'wiring', 'error', 'A pod runs as a ServiceAccount (not "default") that is not in the output.'),
  r('wiring/configmap-exists', 'wiring', 'error', 'A ConfigMap mounted (or referenced) by a pod is not in the output.'),
  r('wiring/secret-exists', 'wiring', 'note', 'Could not check: a Secret mounted by a pod or named by credentialName is neither in the output nor issued by a cert-manager Certificate of the output; it must exist out of band.'),
  r('wiring/credential-rbac', 'wiring', 'error', 'The namespace of a DestinationRule credentialName has no Role granting list (istiod checks list; get/watch recommended) on secrets bound to the service account of the selected workload.'),
  r('wiring/port-chain', 'wiring', 'error', 'ServiceEntry targetPort -> Service port/targetPort -> containerPort do not line up when the ServiceEntry host is a Service of the output.'),
  r('wiring/config-key', 'wiring', 'error', 'A mounted ConfigMap/Secret of the output lacks the key (items, subPath or a file that a config names).'),
  r('wiring/nginx-paths', 'wiring', 'error', 'A file named by nginx.conf (ssl_certificate, ssl_certificate_key, ssl_client_certificate, ssl_trusted_certificate, ssl_crl, include) is not under a volumeMount of the container that mounts that nginx.conf, or its key is missing.'),
  r('wiring/image-user', 'wiring', 'error', 'The security context cannot start the image (nginx runs as root; curlimages/curl has a non-numeric user; nginx needs writable /var/cache/nginx and /var/run).'),
  r('wiring/image-tag', 'wiring', 'warning', 'Image tag is "latest" or missing (not pinned).'),
  // offline analyzers (istioctl analyze equivalents, cross-object) and the pitfalls Istio users hit most: src/validator/analyzers.ts, pitfalls.ts
  r('analyzer/gateway-not-found', 'analyzer', 'error', 'IST0101 ReferencedResourceNotFound "Referenced gateway not found": a VirtualService spec.gateways or match.gateways entry names no Gateway of the output ("mesh" is implicit). A note (could not check) when the Gateway would live in another namespace without Gateways in the output (installed out of band).'),
  r('analyzer/match-gateway-not-bound', 'analyzer', 'error', 'A match.gateways entry of a VirtualService route is not in its spec.gateways (default [mesh]): the route never matches (kiali/kiali#2932; istioctl analyze does not check it).'),
  r('analyzer/host-not-in-gateway', 'analyzer', 'error', 'IST0132 VirtualServiceHostNotFoundInGateway "one or more host [...] defined in VirtualService ... not found in Gateway ...": no host of the VirtualService is served by a server of a Gateway of the output it binds to (Istio: warning; here an error, the binding has no effect).'),
  r('analyzer/conflicting-gateways', 'analyzer', 'error', 'IST0145 ConflictingGateways "Conflict with gateways ... (workload selector ..., port ..., hosts ...)": two Gateways with the same selector serve the same port and overlapping hosts.'),
  r('analyzer/gateway-selector', 'analyzer', 'note', 'IST0101 ReferencedResourceNotFound "Referenced selector not found", as a note (could not check): a Gateway selector selects no pod template of the output; the gateway must be installed out of band (istioctl / Helm chart labels istio: egressgateway).'),
  r('analyzer/sidecar-selector-conflict', 'analyzer', 'error', 'IST0110 ConflictingSidecarWorkloadSelectors: two Sidecars in a namespace select the same workload (a pod template of the output, or identical selectors).'),
  r('analyzer/sidecar-multiple-default', 'analyzer', 'error', 'IST0111 MultipleSidecarsWithoutWorkloadSelectors: more than one Sidecar without workloadSelector in a namespace.'),
  r('analyzer/destination-host', 'analyzer', 'error', 'IST0101 ReferencedResourceNotFound "Referenced host not found": a route destination host is neither a ServiceEntry host visible from the VirtualService nor a Service of the output. A note (could not check) for cluster-local hosts (*.svc.cluster.local, short names), whose Service may be installed out of band.'),
  r('analyzer/destination-port-required', 'analyzer', 'error', 'IST0112 VirtualServiceDestinationPortSelectorRequired: a route destination without port to a ServiceEntry or Service of the output that exposes several ports.'),
  r('analyzer/destination-port', 'analyzer', 'error', 'IST0101 ReferencedResourceNotFound "Referenced host:port not found": a route destination port is not a port of the ServiceEntry (or Service) of the output for that host.'),
  r('analyzer/destination-subset', 'analyzer', 'error', 'IST0101 ReferencedResourceNotFound "Referenced host+subset in destinationrule not found": no DestinationRule of the output defines the subset a route uses (503 NC cluster_not_found).'),
  r('analyzer/subset-selects-no-pods', 'analyzer', 'error', 'IST0173 DestinationRuleSubsetNotSelectPods: the labels of a DestinationRule subset select no pod template behind the Service (or no endpoint of the ServiceEntry) of the output for its host (503 UH).'),
  r('analyzer/unknown-dr-host', 'analyzer', 'warning', 'IST0174 UnknownDestinationRuleHost: an external DestinationRule host matches no ServiceEntry of the output, so the rule applies to nothing unless one exists out of band. A note (could not check) for cluster-local hosts, whose Service may be installed out of band.'),
  r('analyzer/se-address-collision', 'analyzer', 'warning', 'IST0134 ServiceEntryAddressesRequired, across objects: ServiceEntries for different hosts share a TCP (or unset-protocol) port without spec.addresses; they share one 0.0.0.0:<port> listener and only one of them gets the traffic unless DNS auto-allocation is on.'),
  r('wiring/double-tls', 'wiring', 'error', 'Pitfall (istio.io network-issues "double TLS"; istio/istio#17031): a DestinationRule originates TLS (SIMPLE/MUTUAL) on a ServiceEntry port whose protocol is HTTPS or TLS, and no http route sends plaintext to it: the application already speaks TLS there ("wrong version number", 400 "plain HTTP request was sent to HTTPS port").'),
  r('wiring/dr-port-is-target-port', 'wiring', 'error', 'Pitfall (istio.io network-issues; egress TLS origination port model): a DestinationRule portLevelSettings port is the targetPort of a ServiceEntry port instead of its number: the settings never apply and nothing is originated.'),
  r('wiring/undeclared-plaintext-port', 'wiring', 'error', 'Pitfall (istio/istio#21914): a VirtualService mesh route matches a port the application calls that the ServiceEntry of the host does not declare: there is no listener for it and the route never applies.'),
  r('wiring/credential-namespace', 'wiring', 'error', 'Pitfall (istio/istio#33368): the credentialName Secret is in the output but in the wrong namespace for the proxy that reads it (the DestinationRule namespace for a sidecar with workloadSelector; the egress gateway namespace for a DestinationRule applied at a gateway).'),
  r('wiring/credential-role-narrowed', 'wiring', 'error', 'Pitfall (istio/istio#52728, istio.io#11804): a Role bound to the service account of a credential-reading workload grants secrets access narrowed with resourceNames or without "list"; istiod checks "list" on all secrets ("Secret is not supplied by SDS").'),
  r('wiring/dr-visibility', 'wiring', 'error', 'Pitfall (istio/istio#30730, egress-gateway page warning): the DestinationRule that defines a routed subset (or originates TLS at a gateway) is not on the DestinationRule lookup path of the proxy that needs it (its own namespace, then the service namespace, then istio-system, with exportTo): 503 NC cluster_not_found or no origination.'),
  r('wiring/gateway-export-to', 'wiring', 'error', 'Pitfall (istio/istio#35430, istio/istio.io#7615): the exportTo of a VirtualService bound to an egress gateway (Istio API Gateway), of the ServiceEntry of a host a gateway routes to (Istio API or Gateway API gateway of class istio), or of the DestinationRule that originates TLS at a Gateway API gateway hides it from the namespace of the gateway\'s proxy: the gateway answers 404 or 503, or sends plaintext. The namespace is where the Gateway selects pods of the output, the namespace of the Service the sidecars send to, or the Gateway API Gateway\'s; a warning when it is not known from the input.'),
  r('wiring/reference-grant', 'wiring', 'error', 'An HTTPRoute backendRef names a Service of another namespace and no ReferenceGrant of the output in that namespace allows HTTPRoutes of the route\'s namespace: Istio ignores the backend (RefNotPermitted). A note on routes annotated validation.cdk8s-istio-egress.io/gateway-deployed-elsewhere (the grant belongs to the gateway\'s owner).'),
  r('wiring/gateway-route-tls-mismatch', 'wiring', 'error', 'Pitfall (istio.io network-issues "gateway mismatch"; istio/istio#37293): a VirtualService binds tls: routes to a TLS-terminating or plain Gateway server, or http: routes to a PASSTHROUGH server: the gateway listener drops them (404 / no filter chain).'),
  r('wiring/gateway-resolution-none', 'wiring', 'error', 'Pitfall (egress-gateway page warning): a route sends traffic from an egress gateway to a ServiceEntry host with resolution NONE: the original destination is the gateway itself, which routes to itself in a loop.'),
  r('wiring/ca-verifies-server', 'wiring', 'error', 'Pitfall (istio/istio#39166, CERTIFICATE_VERIFY_FAILED): the ca.crt of a credentialName Secret of the output does not verify the server certificate of a Secret of the output mounted by the pods behind the destination host.'),
  r('wiring/certificate-san', 'wiring', 'error', 'Pitfall (istio/istio#48398, istio.io#15847): the server certificate (Secret of the output behind the destination host) has no subjectAltName matching subjectAltNames, sni or the host that Envoy verifies (a CN is not enough).'),
];

const byId = new Map(RULES.map(x => [x.id, x]));
export function ruleInfo(id: string): RuleInfo | undefined {
  return byId.get(id);
}
