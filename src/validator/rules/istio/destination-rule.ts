/**
 * DestinationRule as Istio 1.30.3 and 1.31 validate it (1.31: http2KeepAlive, zoneAwareLbSetting, warmup aggression > 0): ValidateDestinationRule, validateTrafficPolicy,
 * validatePortTrafficPolicies, agent.ValidateTLS, validateLoadBalancer, agent.ValidateLocalityLbSetting,
 * validateOutlierDetection, validateConnectionPool, validateSubset, validateExportTo, validateWorkloadSelector,
 * the analyzers IST0128/IST0129 (CaCertificateAnalyzer), plus this project's egress TLS traps.
 */
import type { Obj, Reporter } from '../../context';
import {
  durationError, EXPORT_FIX, exportToErrors, fqdnError, IstioReport, isDns1123Label, isIp, isMessage, isSet, labelErrors,
  parseDuration, percentError, trailingDotWarning, wildcardDomainError, EXPORT_TO,
} from './common';
import { defineRule, type Rule } from '../rule';

export const DR_HOST = defineRule({
  id: 'istio/dr-host',
  family: 'istio',
  severity: 'error',
  description: 'The DestinationRule host is not a valid (wildcard) DNS name.',
  source: 'Istio validation.go ValidateDestinationRule, agent.ValidateWildcardDomain',
  details: 'ValidateDestinationRule: host passes agent.ValidateWildcardDomain; warning (this project) for a trailing dot, which Istio accepts and Envoy matches to nothing.',
});

export const DR_SUBSETS = defineRule({
  id: 'istio/dr-subsets',
  family: 'istio',
  severity: 'error',
  description: 'DestinationRule subsets are null, duplicated, badly named or have invalid labels.',
  source: 'Istio validation.go ValidateDestinationRule, validateSubsetName, labels.Instance.Validate',
  details: 'ValidateDestinationRule subsets: not null, unique names, validateSubsetName (DNS label), labels.Instance.Validate (label keys and values).',
});

export const DR_WORKLOAD_SELECTOR = defineRule({
  id: 'istio/dr-workload-selector',
  family: 'istio',
  severity: 'error',
  description: 'The DestinationRule workloadSelector has an empty or "*" key, or no matchLabels.',
  source: 'Istio validation.go validateWorkloadSelector',
  details: 'validateWorkloadSelector for DestinationRule: no empty key, no "*"; warning without matchLabels.',
});

export const TRAFFIC_POLICY = defineRule({
  id: 'istio/traffic-policy',
  family: 'istio',
  severity: 'error',
  description: 'A traffic policy is empty, combines tunnel and proxyProtocol, or has invalid tunnel settings.',
  source: 'Istio validation.go validateTrafficPolicy, validateTunnelSettings, validateProxyProtocol',
  details: 'validateTrafficPolicy: at least one field; not tunnel and proxyProtocol together; validateTunnelSettings (CONNECT/POST, FQDN or IP target host, target port); validateProxyProtocol.',
});

export const PORT_LEVEL_SETTINGS = defineRule({
  id: 'istio/port-level-settings',
  family: 'istio',
  severity: 'error',
  description: 'A portLevelSettings entry is null, empty, without port, duplicated, or names no port of the ServiceEntry.',
  source: 'Istio validation.go validatePortTrafficPolicies / this project (port on the ServiceEntry)',
  details: 'validatePortTrafficPolicies: not null, a port, at least one of tls/loadBalancer/connectionPool/outlierDetection. This project: a port.number, unique per number, that exists on the ServiceEntry of the same host (when that ServiceEntry is in the output).',
});

export const TLS_SETTINGS = defineRule({
  id: 'istio/tls-settings',
  family: 'istio',
  severity: 'error',
  description: 'The client TLS settings combine fields Istio refuses, or MUTUAL lacks a client certificate.',
  source: 'Istio agent/validation.go ValidateTLS / this project (certificates without effect)',
  details: 'agent.ValidateTLS: insecureSkipVerify excludes caCertificates, subjectAltNames (and credentialName with SIMPLE); credentialName excludes clientCertificate/privateKey/caCertificates/caCrl; MUTUAL needs credentialName or clientCertificate+privateKey; configmap:// credentialName in the own namespace. Warnings (this project): certificates with ISTIO_MUTUAL or DISABLE have no effect.',
});

export const TLS_CA_CERTIFICATES = defineRule({
  id: 'istio/tls-ca-certificates',
  family: 'istio',
  severity: 'note',
  description: 'SIMPLE or MUTUAL without caCertificates: the OS root CAs verify the server (insecureSkipVerify: a warning).',
  source: 'Istio analyzer IST0128/IST0129 (CaCertificateAnalyzer)',
  details: 'Analyzers IST0128/IST0129 (CaCertificateAnalyzer), same condition: SIMPLE or MUTUAL at top level or port level without caCertificates (and not credentialName with a workloadSelector). istioctl analyze warns that the server certificate is not verified; since Istio 1.24 the proxy verifies it against its OS root CAs (a gateway: the ca.crt of credentialName), so a note saying so; a warning with insecureSkipVerify: true, which verifies nothing.',
});

export const TLS_SERVER_NAME = defineRule({
  id: 'istio/tls-server-name',
  family: 'istio',
  severity: 'warning',
  description: 'SIMPLE or MUTUAL with sni and without subjectAltNames: no name of the server certificate is checked.',
  source: 'this project (Istio sets Envoy auto_san_validation only without sni)',
  details: 'This project (Istio sets Envoy auto_san_validation only without sni): SIMPLE or MUTUAL with sni and without subjectAltNames on the DestinationRule or the ServiceEntry: no name of the server certificate is checked; reported when, without caCertificates and credentialName, the OS root CAs verify it, so that any publicly trusted certificate for any domain passes.',
});

export const TLS_SNI = defineRule({
  id: 'istio/tls-sni',
  family: 'istio',
  severity: 'error',
  description: 'sni is not a DNS host name (an error), or is an IP address or ends with a dot (warnings).',
  source: 'this project (RFC 6066; Istio accepts it)',
  details: 'This project (Istio accepts it): sni must be a DNS host name (error), and not an IP address nor end with a dot (warnings: RFC 6066 forbids both in SNI).',
});

export const CREDENTIAL_WITHOUT_SELECTOR = defineRule({
  id: 'istio/credential-without-selector',
  family: 'istio',
  severity: 'error',
  description: 'credentialName on a DestinationRule that only sidecars read (no workloadSelector, no gateway route): it is ignored.',
  source: 'this project (Istio accepts it; ClientTLSSettings.credentialName applies at sidecars only with workloadSelector)',
  details: 'This project (Istio accepts it): credentialName on a DestinationRule without workloadSelector whose host no VirtualService routes from a Gateway and no HTTPRoute attached to a Gateway has as backend: sidecars ignore it and send plaintext or lose the client certificate (gateways read it). An error where a route of the input sends sidecar traffic to the host (a VirtualService route bound to mesh, an HTTPRoute attached to a Service or ServiceEntry); a warning (could not check) when nothing in the input routes to the host, since a Gateway routed by another file may read it. Not for mode SIMPLE, where credentialName only carries the CA: the sidecar then verifies against its OS root CAs, which the IST0128/IST0129 warning of istio/tls-ca-certificates says.',
});

export const LOAD_BALANCER = defineRule({
  id: 'istio/load-balancer',
  family: 'istio',
  severity: 'error',
  description: 'The loadBalancer settings (consistent hash, maglev, ring hash, warmup) are invalid.',
  source: 'Istio validation.go validateLoadBalancer',
  details: 'validateLoadBalancer: consistentHash httpCookie name and unique non-empty attribute names, maglev tableSize set, prime and below 5000011, minimumRingSize deprecated (warning) and not with maglev/ringHash; warmup duration required and valid, minimumPercent <= 100, aggression >= 1 (1.30) or > 0 (1.31); from 1.31, not localityLbSetting and zoneAwareLbSetting together.',
  releases: {
    '1.31': { note: 'warmup aggression must be greater than 0 (1.30: at least 1); localityLbSetting and zoneAwareLbSetting (a field 1.31 adds) may not both be set' },
  },
});

export const ZONE_AWARE_LB = defineRule({
  id: 'istio/zone-aware-lb',
  family: 'istio',
  severity: 'error',
  description: 'The zoneAwareLbSetting (failover, failoverPriority) is invalid.',
  source: 'Istio 1.31 agent/validation.go ValidateZoneAwareLbSetting',
  details: 'agent.ValidateZoneAwareLbSetting: no region, zone or subzone topology label in failoverPriority, failover between different regions without "/" or "*"; warning when failover or failoverPriority has no outlierDetection.',
  releases: {
    '1.30': { enabled: false, note: 'Istio 1.30 has no zoneAwareLbSetting: its CRD refuses the field (schema/unknown-field)' },
  },
});

export const LOCALITY_LB = defineRule({
  id: 'istio/locality-lb',
  family: 'istio',
  severity: 'error',
  description: 'The localityLbSetting (distribute, failover, failoverPriority) is invalid.',
  source: 'Istio agent/validation.go ValidateLocalityLbSetting, validateLocalities',
  details: 'agent.ValidateLocalityLbSetting and validateLocalities: not distribute and failover together, no topology labels in failoverPriority with failover, weights 1..100 adding up to 100, localities without overlap and with one trailing "*" at most, failover between different regions without "/" or "*"; warning when failover has no outlierDetection.',
});

export const OUTLIER_DETECTION = defineRule({
  id: 'istio/outlier-detection',
  family: 'istio',
  severity: 'error',
  description: 'outlierDetection durations, percentages or error counts are invalid.',
  source: 'Istio validation.go validateOutlierDetection, agent.ValidateDuration',
  details: 'validateOutlierDetection: interval and baseEjectionTime durations (agent.ValidateDuration: at least 1ms, whole milliseconds), percentages 0..100, consecutiveLocalOriginFailures needs splitExternalLocalOriginErrors; warning for the deprecated consecutiveErrors.',
});

export const CONNECTION_POOL = defineRule({
  id: 'istio/connection-pool',
  family: 'istio',
  severity: 'error',
  description: 'connectionPool counts or durations are invalid, or its HTTP options conflict.',
  source: 'Istio validation.go validateConnectionPool',
  details: 'validateConnectionPool: tcp or http set; counts non-negative; durations (connectTimeout, maxConnectionDuration, idleTimeout unless 0, tcpKeepalive, http idleTimeout) at least 1ms and whole milliseconds; not useClientProtocol with h2UpgradePolicy UPGRADE; from 1.31, http2KeepAlive with both interval and timeout, valid durations.',
  releases: {
    '1.31': { note: 'http.http2KeepAlive (a field 1.31 adds; 1.30\'s CRD refuses it) needs interval and timeout, each a valid duration' },
  },
});

const TLS_FIX = 'Set credentialName (a Secret with tls.crt, tls.key, ca.crt) or the certificate files, not both; with insecureSkipVerify no CA or subjectAltNames.';

interface TlsSite { field: string; tls: any; port?: number }

/** Every ClientTLSSettings of a DestinationRule spec (top level, port level, subsets). */
export function drTlsSites(spec: any): TlsSite[] {
  const out: TlsSite[] = [];
  const fromPolicy = (tp: any, base: string) => {
    if (!isMessage(tp)) return;
    if (isMessage(tp.tls)) out.push({ field: `${base}.tls`, tls: tp.tls });
    if (Array.isArray(tp.portLevelSettings)) {
      tp.portLevelSettings.forEach((pls: any, i: number) => {
        if (isMessage(pls?.tls)) out.push({ field: `${base}.portLevelSettings[${i}].tls`, tls: pls.tls, port: pls.port?.number });
      });
    }
  };
  fromPolicy(spec?.trafficPolicy, 'spec.trafficPolicy');
  if (Array.isArray(spec?.subsets)) spec.subsets.forEach((s: any, i: number) => fromPolicy(s?.trafficPolicy, `spec.subsets[${i}].trafficPolicy`));
  return out;
}

/**
 * @param routedFromGateway whether a Gateway's proxy routes to a host: a DestinationRule for
 *   it without workloadSelector applies at the gateway, which reads credentialName.
 * @param routedFromSidecars whether a route of the input sends sidecar traffic to a host (a VirtualService route
 *   bound to mesh, an HTTPRoute attached to a Service or ServiceEntry): sidecars then demonstrably read the
 *   DestinationRule, and ignore its credentialName without workloadSelector.
 */
export function checkDestinationRule(o: Obj, rep: Reporter, serviceEntries: Map<string, Obj[]>, routedFromGateway: (host: string) => boolean = () => false, routedFromSidecars: (host: string) => boolean = () => false) {
  const spec = o.raw?.spec;
  if (!isMessage(spec)) return;
  const r = new IstioReport(rep, o);
  const ns = o.namespace ?? 'default';
  const host = spec.host;
  if (typeof host === 'string') {
    r.error(DR_HOST, 'spec.host', wildcardDomainError(host), 'Use the service host name (FQDN recommended), e.g. my-svc.my-ns.svc.cluster.local or api.example.com.');
    if (wildcardDomainError(host) === undefined) r.warn(DR_HOST, 'spec.host', trailingDotWarning('host', host), `Drop the trailing dot: ${JSON.stringify(host.slice(0, -1))}.`);
  }
  const hasSelector = spec.workloadSelector !== undefined && spec.workloadSelector !== null;

  checkTrafficPolicy(r, spec.trafficPolicy, 'spec.trafficPolicy', ns);

  if (Array.isArray(spec.subsets)) {
    const names = new Set<string>();
    spec.subsets.forEach((s: any, i: number) => {
      const f = `spec.subsets[${i}]`;
      if (s === null || s === undefined) {
        r.error(DR_SUBSETS, f, 'subset may not be null', 'Remove the empty entry.');
        return;
      }
      const name = typeof s.name === 'string' ? s.name : '';
      if (names.has(name)) r.error(DR_SUBSETS, `${f}.name`, `duplicate subset names: ${name}`, 'Give every subset a unique name.');
      names.add(name);
      if (!name) r.error(DR_SUBSETS, `${f}.name`, 'subset name cannot be empty', 'Name the subset with a DNS label, e.g. v1.');
      else if (!isDns1123Label(name)) r.error(DR_SUBSETS, `${f}.name`, `subset name is invalid: ${name}`, 'Use a DNS label: letters, digits and "-", at most 63 characters, e.g. v1.');
      for (const e of labelErrors(s.labels)) r.error(DR_SUBSETS, `${f}.labels`, e, 'Use Kubernetes label keys ([prefix/]name) and values (at most 63 characters of letters, digits, "-", "_", ".").');
      checkTrafficPolicy(r, s.trafficPolicy, `${f}.trafficPolicy`, ns);
    });
  }

  for (const e of exportToErrors(spec.exportTo, ns, false, hasSelector)) r.error(EXPORT_TO, 'spec.exportTo', e, `${EXPORT_FIX} A DestinationRule with workloadSelector exports only to its own namespace.`);

  if (hasSelector) {
    const ml = spec.workloadSelector?.matchLabels;
    const labels = isMessage(ml) ? ml : {};
    for (const [k, v] of Object.entries(labels)) {
      if (k === '') r.error(DR_WORKLOAD_SELECTOR, 'spec.workloadSelector.matchLabels', `empty key is not supported in selector: ${JSON.stringify(`${k}=${v}`)}`, 'Use a label key, e.g. app.');
      if (k.includes('*') || String(v).includes('*')) r.error(DR_WORKLOAD_SELECTOR, 'spec.workloadSelector.matchLabels', `wildcard is not supported in selector: ${JSON.stringify(`${k}=${v}`)}`, 'Use exact label values.');
    }
    if (Object.keys(labels).length === 0) r.warn(DR_WORKLOAD_SELECTOR, 'spec.workloadSelector', 'workload selector specified without labels', 'Add matchLabels selecting the client pods, or remove the workloadSelector.');
  }

  const atGateway = !hasSelector && typeof spec.host === 'string' && routedFromGateway(spec.host);
  checkTlsTraps(r, spec, hasSelector || atGateway, typeof spec.host === 'string' && routedFromSidecars(spec.host));
  checkCaAnalyzer(r, o, spec, atGateway);
  checkServerName(r, o, spec, serviceEntries);
  checkPortLevelPorts(r, o, spec, serviceEntries);
}

function checkTrafficPolicy(r: IstioReport, tp: any, base: string, ns: string) {
  if (tp === undefined || tp === null) return;
  if (!isMessage(tp)) return;
  const fields = ['outlierDetection', 'connectionPool', 'loadBalancer', 'tls', 'portLevelSettings', 'tunnel', 'proxyProtocol', 'retryBudget'];
  if (!fields.some(k => tp[k] !== undefined && tp[k] !== null && !(Array.isArray(tp[k]) && tp[k].length === 0))) {
    r.error(TRAFFIC_POLICY, base, 'traffic policy must have at least one field', `Remove the empty ${base}, or set one of ${fields.join(', ')}.`);
    return;
  }
  if (isMessage(tp.tunnel) && isMessage(tp.proxyProtocol)) {
    r.error(TRAFFIC_POLICY, base, 'tunnel and proxyProtocol must not be set together', 'Keep one of tunnel and proxyProtocol.');
    return;
  }
  checkOutlierDetection(r, tp.outlierDetection, `${base}.outlierDetection`);
  checkConnectionPool(r, tp.connectionPool, `${base}.connectionPool`);
  checkLoadBalancer(r, tp.loadBalancer, tp.outlierDetection, `${base}.loadBalancer`);
  checkTls(r, tp.tls, `${base}.tls`, ns);
  if (Array.isArray(tp.portLevelSettings)) {
    tp.portLevelSettings.forEach((p: any, i: number) => {
      const f = `${base}.portLevelSettings[${i}]`;
      if (p === null || p === undefined) {
        r.error(PORT_LEVEL_SETTINGS, f, 'traffic policy may not be null', 'Remove the empty entry.');
        return;
      }
      if (p.port === undefined || p.port === null) r.error(PORT_LEVEL_SETTINGS, `${f}.port`, 'portTrafficPolicy must have valid port', 'Set port.number to a port of the destination service.');
      if (![p.outlierDetection, p.connectionPool, p.loadBalancer, p.tls].some(x => x !== undefined && x !== null)) {
        r.error(PORT_LEVEL_SETTINGS, f, 'port traffic policy must have at least one field', 'Set tls, loadBalancer, connectionPool or outlierDetection for the port, or remove the entry.');
      } else {
        checkOutlierDetection(r, p.outlierDetection, `${f}.outlierDetection`);
        checkConnectionPool(r, p.connectionPool, `${f}.connectionPool`);
        checkLoadBalancer(r, p.loadBalancer, p.outlierDetection, `${f}.loadBalancer`);
        checkTls(r, p.tls, `${f}.tls`, ns);
      }
    });
  }
  if (isMessage(tp.tunnel)) {
    const t = tp.tunnel;
    if (isSet(t.protocol) && t.protocol !== 'CONNECT' && t.protocol !== 'POST') r.error(TRAFFIC_POLICY, `${base}.tunnel.protocol`, 'tunnel protocol must be "CONNECT" or "POST"', 'Use CONNECT or POST.');
    const th = typeof t.targetHost === 'string' ? t.targetHost : '';
    if (!isIp(th) && fqdnError(th) !== undefined) r.error(TRAFFIC_POLICY, `${base}.tunnel.targetHost`, `tunnel target host must be valid FQDN or IP address: ${JSON.stringify(th)}`, 'Use the proxy host name or IP address.');
    const tpn = typeof t.targetPort === 'number' ? t.targetPort : 0;
    if (!(tpn >= 1 && tpn <= 65535)) r.error(TRAFFIC_POLICY, `${base}.tunnel.targetPort`, `tunnel target port is invalid: port number ${tpn} must be in the range 1..65535`, 'Use a port between 1 and 65535.');
  }
  if (isMessage(tp.proxyProtocol)) {
    const v = tp.proxyProtocol.version;
    if (v !== undefined && v !== 'V1' && v !== 'V2' && v !== 0 && v !== 1) r.error(TRAFFIC_POLICY, `${base}.proxyProtocol.version`, `proxy protocol version is invalid: ${v}`, 'Use V1 or V2.');
  }
}

function checkDuration(r: IstioReport, rule: Rule, v: unknown, field: string, fix = 'Use whole milliseconds of at least 1ms, e.g. 1500ms or 2s.') {
  if (v === undefined || v === null) return;
  r.error(rule, field, durationError(v), fix);
}

function checkOutlierDetection(r: IstioReport, od: any, base: string) {
  if (!isMessage(od)) return;
  const rule = OUTLIER_DETECTION;
  checkDuration(r, rule, od.baseEjectionTime, `${base}.baseEjectionTime`);
  if (isSet(od.consecutiveErrors)) r.warn(rule, `${base}.consecutiveErrors`, 'outlier detection consecutive errors is deprecated, use consecutiveGatewayErrors or consecutive5xxErrors instead', 'Use consecutiveGatewayErrors or consecutive5xxErrors.');
  if (od.splitExternalLocalOriginErrors !== true && typeof od.consecutiveLocalOriginFailures === 'number' && od.consecutiveLocalOriginFailures > 0) {
    r.error(rule, `${base}.consecutiveLocalOriginFailures`, 'outlier detection consecutive local origin failures is specified, but split external local origin errors is set to false', 'Set splitExternalLocalOriginErrors: true, or remove consecutiveLocalOriginFailures.');
  }
  checkDuration(r, rule, od.interval, `${base}.interval`);
  r.error(rule, `${base}.maxEjectionPercent`, percentError(od.maxEjectionPercent), 'Use a percentage from 0 to 100.');
  r.error(rule, `${base}.minHealthPercent`, percentError(od.minHealthPercent), 'Use a percentage from 0 to 100.');
}

/** validateConnectionPool (DestinationRule traffic policies and Sidecar inbound pools). */
export function checkConnectionPool(r: IstioReport, cp: any, base: string) {
  if (!isMessage(cp)) return;
  const rule = CONNECTION_POOL;
  const neg = (v: unknown) => typeof v === 'number' && v < 0;
  if (!isMessage(cp.http) && !isMessage(cp.tcp)) {
    r.error(rule, base, 'connection pool must have at least one field', `Set ${base}.tcp or ${base}.http, or remove it.`);
    return;
  }
  const fixNeg = 'Use zero (the default) or a positive number.';
  if (isMessage(cp.http)) {
    const h = cp.http;
    const f = `${base}.http`;
    if (neg(h.http1MaxPendingRequests)) r.error(rule, `${f}.http1MaxPendingRequests`, 'http1 max pending requests must be non-negative', fixNeg);
    if (neg(h.http2MaxRequests)) r.error(rule, `${f}.http2MaxRequests`, 'http2 max requests must be non-negative', fixNeg);
    if (neg(h.maxRequestsPerConnection)) r.error(rule, `${f}.maxRequestsPerConnection`, 'max requests per connection must be non-negative', fixNeg);
    if (neg(h.maxRetries)) r.error(rule, `${f}.maxRetries`, 'max retries must be non-negative', fixNeg);
    checkDuration(r, rule, h.idleTimeout, `${f}.idleTimeout`);
    if (h.h2UpgradePolicy === 'UPGRADE' && h.useClientProtocol === true) r.error(rule, `${f}.useClientProtocol`, 'use client protocol must not be true when H2UpgradePolicy is UPGRADE', 'Drop useClientProtocol or the UPGRADE policy.');
    if (neg(h.maxConcurrentStreams)) r.error(rule, `${f}.maxConcurrentStreams`, 'max concurrent streams must be non-negative', fixNeg);
    // 1.31 adds http2KeepAlive (1.30's CRD has no such field)
    if (r.release !== '1.30' && isMessage(h.http2KeepAlive)) {
      const k = h.http2KeepAlive;
      const kf = `${f}.http2KeepAlive`;
      const fixKa = 'Set both interval and timeout, e.g. interval: 30s, timeout: 10s.';
      if (k.interval === undefined || k.interval === null) r.error(rule, `${kf}.interval`, 'http2 keepalive interval is required', fixKa);
      else checkDuration(r, rule, k.interval, `${kf}.interval`);
      if (k.timeout === undefined || k.timeout === null) r.error(rule, `${kf}.timeout`, 'http2 keepalive timeout is required', fixKa);
      else checkDuration(r, rule, k.timeout, `${kf}.timeout`);
    }
  }
  if (isMessage(cp.tcp)) {
    const t = cp.tcp;
    const f = `${base}.tcp`;
    if (neg(t.maxConnections)) r.error(rule, `${f}.maxConnections`, 'max connections must be non-negative', fixNeg);
    checkDuration(r, rule, t.connectTimeout, `${f}.connectTimeout`);
    checkDuration(r, rule, t.maxConnectionDuration, `${f}.maxConnectionDuration`);
    if (typeof t.idleTimeout === 'string') {
      const ns = parseDuration(t.idleTimeout);
      // 0s (anything under a millisecond) disables the timeout and is not validated
      if (ns === undefined || ns >= 1000000n || ns <= -1000000n) checkDuration(r, rule, t.idleTimeout, `${f}.idleTimeout`);
    }
    if (isMessage(t.tcpKeepalive)) {
      checkDuration(r, rule, t.tcpKeepalive.time, `${f}.tcpKeepalive.time`);
      checkDuration(r, rule, t.tcpKeepalive.interval, `${f}.tcpKeepalive.interval`);
    }
  }
}

function isPrime(x: number): boolean {
  if (x !== 0 && x < 4) return true;
  if (x % 2 === 0) return false;
  for (let f = 3; f * f <= x; f += 2) if (x % f === 0) return false;
  return true;
}

function checkLoadBalancer(r: IstioReport, lb: any, outlier: any, base: string) {
  if (!isMessage(lb)) return;
  const rule = LOAD_BALANCER;
  const ch = lb.consistentHash;
  if (isMessage(ch)) {
    const f = `${base}.consistentHash`;
    const cookie = ch.httpCookie;
    if (isMessage(cookie)) {
      if (!isSet(cookie.name)) r.error(rule, `${f}.httpCookie.name`, 'name required for HttpCookie', 'Name the cookie.');
      if (Array.isArray(cookie.attributes)) {
        const seen = new Set<string>();
        cookie.attributes.forEach((a: any, i: number) => {
          const n = typeof a?.name === 'string' ? a.name : '';
          if (!n) r.error(rule, `${f}.httpCookie.attributes[${i}].name`, 'cookie attribute name cannot be empty', 'Name the attribute, e.g. SameSite.');
          else if (seen.has(n)) r.error(rule, `${f}.httpCookie.attributes[${i}].name`, `duplicate cookie attribute name: ${n}`, 'Give each attribute once.');
          else seen.add(n);
        });
      }
    }
    if (isSet(ch.minimumRingSize)) {
      r.warn(rule, `${f}.minimumRingSize`, "consistent hash MinimumRingSize is deprecated, use ConsistentHashLB's RingHash configuration instead", 'Use consistentHash.ringHash.minimumRingSize.');
      if (isMessage(ch.maglev) || isMessage(ch.ringHash)) r.error(rule, `${f}.minimumRingSize`, 'only one of MinimumRingSize or Maglev/Ringhash can be specified', 'Move minimumRingSize into ringHash, or drop it.');
    }
    if (isMessage(ch.maglev)) {
      const ts = typeof ch.maglev.tableSize === 'number' ? ch.maglev.tableSize : 0;
      const fix = 'Use a prime table size below 5000011, e.g. 65537.';
      if (ts === 0) r.error(rule, `${f}.maglev.tableSize`, 'tableSize must be set for maglev', fix);
      if (ts >= 5000011) r.error(rule, `${f}.maglev.tableSize`, 'tableSize must be less than 5000011 for maglev', fix);
      if (!isPrime(ts)) r.error(rule, `${f}.maglev.tableSize`, 'tableSize must be a prime number for maglev', fix);
    }
  }
  // 1.31 adds zoneAwareLbSetting, exclusive with localityLbSetting (1.30's CRD has no such field)
  const newer = r.release !== '1.30';
  if (newer && isMessage(lb.localityLbSetting) && isMessage(lb.zoneAwareLbSetting)) {
    r.error(rule, `${base}.zoneAwareLbSetting`, 'only one of localityLbSetting and zoneAwareLbSetting can be set', 'Keep localityLbSetting or zoneAwareLbSetting.');
  }
  checkLocalityLb(r, lb.localityLbSetting, outlier, `${base}.localityLbSetting`);
  if (newer) checkZoneAwareLb(r, lb.zoneAwareLbSetting, outlier, `${base}.zoneAwareLbSetting`);
  if (isMessage(lb.warmup)) {
    const w = lb.warmup;
    if (w.duration === undefined || w.duration === null) r.error(rule, `${base}.warmup.duration`, 'duration is required', 'Set warmup.duration, e.g. 60s.');
    else checkDuration(r, rule, w.duration, `${base}.warmup.duration`);
    if (typeof w.minimumPercent === 'number' && w.minimumPercent > 100) r.error(rule, `${base}.warmup.minimumPercent`, 'minimumPercent value should be less than or equal to 100', 'Use 0 to 100.');
    if (typeof w.aggression === 'number') {
      // 1.30 refuses an aggression below 1, 1.31 only one of 0 or less (below 1: a faster ramp-up)
      if (!newer && w.aggression < 1) r.error(rule, `${base}.warmup.aggression`, 'aggression should be greater than or equal to 1', 'Use 1 or more (Istio 1.31 accepts values between 0 and 1).');
      if (newer && w.aggression <= 0) r.error(rule, `${base}.warmup.aggression`, 'aggression should be greater than 0', 'Use a value above 0 (1, the default, is a linear ramp-up).');
    }
  }
}

/** agent.ValidateZoneAwareLbSetting (Istio 1.31) */
function checkZoneAwareLb(r: IstioReport, lb: any, outlier: any, base: string) {
  if (!isMessage(lb)) return;
  const rule = ZONE_AWARE_LB;
  const failover: any[] = Array.isArray(lb.failover) ? lb.failover : [];
  const priority: any[] = Array.isArray(lb.failoverPriority) ? lb.failoverPriority : [];
  priority.forEach((p: any, i: number) => {
    if (TOPOLOGY_LABELS.includes(p)) {
      r.error(rule, `${base}.failoverPriority[${i}]`, `'failover_priority' for zone aware lb must not use topology label '${p}'; region- and zone-level routing are handled automatically`, 'Drop the topology label: zone-aware load balancing orders regions, zones and subzones itself.');
    }
  });
  if ((failover.length || priority.length) && (outlier === undefined || outlier === null)) {
    r.warn(rule, base, 'outlier detection policy must be provided for failover', 'Add outlierDetection to the same traffic policy: failover only happens for ejected endpoints.');
  }
  const fix = 'Fail over between two different regions, named without "/" or "*".';
  failover.forEach((f: any, i: number) => {
    const from = typeof f?.from === 'string' ? f.from : '';
    const to = typeof f?.to === 'string' ? f.to : '';
    const field = `${base}.failover[${i}]`;
    if (from === to) r.error(rule, field, 'zone aware lb failover settings must specify different regions', fix);
    if (from.includes('/') || to.includes('/')) r.error(rule, field, 'zone aware lb failover only specifies region; zone and subzone failover are handled automatically', fix);
    if (from.includes('*') || to.includes('*')) r.error(rule, field, "zone aware lb failover region should not contain '*' wildcard", fix);
  });
}

const TOPOLOGY_LABELS = ['topology.kubernetes.io/region', 'topology.kubernetes.io/zone', 'topology.istio.io/subzone'];

/** agent.ValidateLocalityLbSetting */
function checkLocalityLb(r: IstioReport, lb: any, outlier: any, base: string) {
  if (!isMessage(lb)) return;
  const rule = LOCALITY_LB;
  const distribute: any[] = Array.isArray(lb.distribute) ? lb.distribute : [];
  const failover: any[] = Array.isArray(lb.failover) ? lb.failover : [];
  const priority: any[] = Array.isArray(lb.failoverPriority) ? lb.failoverPriority : [];
  if (distribute.length && failover.length) {
    r.error(rule, base, "can not simultaneously specify 'distribute' and 'failover'", 'Keep distribute or failover.');
    return;
  }
  if (failover.length && priority.length) {
    const topo = priority.find(p => TOPOLOGY_LABELS.includes(p));
    if (topo) {
      r.error(rule, `${base}.failoverPriority`, `can not simultaneously set 'failover' and topology label '${topo}' in 'failover_priority'`, 'Drop the topology label from failoverPriority, or failover.');
      return;
    }
  }
  const fix = 'Use region[/zone[/subzone]] localities, a "*" only at the end, without overlaps; weights 1..100 adding up to 100.';
  const src: string[] = [];
  for (let i = 0; i < distribute.length; i++) {
    const d = distribute[i];
    src.push(typeof d?.from === 'string' ? d.from : '');
    const to = isMessage(d?.to) ? d.to : {};
    let total = 0;
    for (const w of Object.values(to)) {
      const n = typeof w === 'number' ? w : 0;
      if (n <= 0 || n > 100) {
        r.error(rule, `${base}.distribute[${i}].to`, 'locality weight must be in range [1, 100]', fix);
        return;
      }
      total += n;
    }
    if (total !== 100) {
      r.error(rule, `${base}.distribute[${i}].to`, `total locality weight ${total} != 100`, fix);
      return;
    }
    r.error(rule, `${base}.distribute[${i}].to`, localitiesError(Object.keys(to)), fix);
  }
  r.error(rule, `${base}.distribute`, localitiesError(src), fix);
  if ((failover.length || priority.length) && (outlier === undefined || outlier === null)) {
    r.warn(rule, base, 'outlier detection policy must be provided for failover', 'Add outlierDetection to the same traffic policy: failover only happens for ejected endpoints.');
  }
  failover.forEach((f: any, i: number) => {
    const from = typeof f?.from === 'string' ? f.from : '';
    const to = typeof f?.to === 'string' ? f.to : '';
    const field = `${base}.failover[${i}]`;
    if (from === to) r.error(rule, field, 'locality lb failover settings must specify different regions', fix);
    if (from.includes('/') || to.includes('/')) r.error(rule, field, 'locality lb failover only specify region', fix);
    if (from.includes('*') || to.includes('*')) r.error(rule, field, "locality lb failover region should not contain '*' wildcard", fix);
  });
}

/** agent.validateLocalities */
function localitiesError(localities: string[]): string | undefined {
  const map = new Map<string, Map<string, Map<string, boolean>>>();
  const overlap = (l: string) => `locality ${l} overlap with previous specified ones`;
  for (const l of localities) {
    const stars = (l.match(/\*/g) ?? []).length;
    if (stars > 1 || (stars === 1 && !l.endsWith('*'))) return `locality ${l} wildcard '*' number can not exceed 1 and must be in the end`;
    if (map.has('*')) return overlap(l);
    const items = l.split('/');
    const parts = items.length > 3 ? [...items.slice(0, 2), items.slice(2).join('/')] : items;
    if (parts.some(p => p === '')) return `locality ${l} must not contain empty region/zone/subzone info`;
    const [region, zone, sub] = parts;
    const idx = parts.length - 1;
    if (idx === 0) {
      if (map.has(region)) return overlap(l);
      map.set(region, new Map([['*', new Map([['*', true]])]]));
    } else if (idx === 1) {
      const rz = map.get(region);
      if (rz) {
        if (rz.has('*') || rz.has(zone)) return overlap(l);
        rz.set(zone, new Map([['*', true]]));
      } else {
        map.set(region, new Map([[zone, new Map([['*', true]])]]));
      }
    } else {
      const rz = map.get(region);
      if (rz) {
        if (rz.has('*')) return overlap(l);
        const zs = rz.get(zone);
        if (zs) {
          if (zs.get('*') || zs.get(sub)) return overlap(l);
          zs.set(sub, true);
        } else {
          rz.set(zone, new Map([[sub, true]]));
        }
      } else {
        map.set(region, new Map([[zone, new Map([[sub, true]])]]));
      }
    }
  }
  return undefined;
}

/** agent.ValidateTLS, reported at the field to change. */
function checkTls(r: IstioReport, tls: any, base: string, ns: string) {
  if (!isMessage(tls)) return;
  const rule = TLS_SETTINGS;
  const mode = tls.mode ?? 'DISABLE';
  const cred = typeof tls.credentialName === 'string' ? tls.credentialName : '';
  if (cred.startsWith('configmap://')) {
    const parts = cred.slice('configmap://'.length).split('/');
    if (parts.length > 2 || parts.some(p => p === '')) r.error(rule, `${base}.credentialName`, `invalid configmap:// credentialName: invalid resource name ${JSON.stringify(cred)}`, 'Use configmap://NAME or configmap://NAMESPACE/NAME.');
    else if (parts.length === 2 && parts[0] !== ns) r.error(rule, `${base}.credentialName`, `invalid configmap:// credentialName: namespace must match the configuration namespace ${JSON.stringify(ns)}`, 'Refer to a ConfigMap in the namespace of the DestinationRule.');
  }
  const sans = Array.isArray(tls.subjectAltNames) && tls.subjectAltNames.length > 0;
  if (tls.insecureSkipVerify === true) {
    if (mode === 'SIMPLE' && (isSet(tls.caCertificates) || cred || sans)) {
      r.error(rule, `${base}.insecureSkipVerify`, 'cannot specify CaCertificates or CredentialName or SubjectAltNames when InsecureSkipVerify is set true', 'Verify the server (drop insecureSkipVerify), or drop caCertificates, credentialName and subjectAltNames.');
    }
    if (mode === 'MUTUAL' && (isSet(tls.caCertificates) || sans)) {
      r.error(rule, `${base}.insecureSkipVerify`, 'cannot specify CaCertificates or SubjectAltNames when InsecureSkipVerify is set true', 'Verify the server (drop insecureSkipVerify), or drop caCertificates and subjectAltNames.');
    }
  }
  if ((mode === 'SIMPLE' || mode === 'MUTUAL') && cred) {
    for (const k of ['clientCertificate', 'privateKey', 'caCertificates', 'caCrl']) {
      if (isSet(tls[k])) r.error(rule, `${base}.${k}`, 'cannot specify client certificates or CA certificate or CA CRL If credentialName is set', `Remove ${base}.${k}; the Secret named by credentialName provides the files (tls.crt, tls.key, ca.crt). ${TLS_FIX}`);
    }
    return;
  }
  if (mode === 'MUTUAL') {
    if (!isSet(tls.clientCertificate)) r.error(rule, `${base}.clientCertificate`, 'client certificate required for mutual tls', 'Set credentialName to a Secret holding tls.crt/tls.key/ca.crt, or clientCertificate and privateKey.');
    if (!isSet(tls.privateKey)) r.error(rule, `${base}.privateKey`, 'private key required for mutual tls', 'Set credentialName to a Secret holding tls.crt/tls.key/ca.crt, or clientCertificate and privateKey.');
  }
}

/** This project's traps around ClientTLSSettings that Istio accepts silently. */
function checkTlsTraps(r: IstioReport, spec: any, hasSelector: boolean, sidecarRouted: boolean) {
  for (const { field, tls } of drTlsSites(spec)) {
    const mode = tls.mode ?? 'DISABLE';
    const cred = typeof tls.credentialName === 'string' && tls.credentialName !== '';
    if (mode === 'ISTIO_MUTUAL') {
      for (const k of ['credentialName', 'clientCertificate', 'privateKey', 'caCertificates']) {
        if (isSet(tls[k])) r.warn(TLS_SETTINGS, `${field}.${k}`, `${k} has no effect with mode ISTIO_MUTUAL (Istio uses its own workload certificates)`, `Remove ${field}.${k}, or use mode MUTUAL to originate TLS with your own credentials.`);
      }
    }
    if (mode === 'DISABLE' && (cred || isSet(tls.clientCertificate) || isSet(tls.privateKey) || isSet(tls.caCertificates))) {
      r.warn(TLS_SETTINGS, `${field}.mode`, 'certificates are set but mode is DISABLE: no TLS is originated', 'Set mode SIMPLE or MUTUAL.');
    }
    // SIMPLE: credentialName only carries the CA (ca.crt); a sidecar that ignores it verifies against its OS root CAs,
    // which the IST0128/IST0129 warning of checkCaAnalyzer says; MUTUAL: the client certificate is lost
    // Istio accepts it: an error only where a route of the input sends sidecar traffic to the host (the sidecars
    // demonstrably read this DestinationRule); when nothing in the input reads it, a gateway routed by another file
    // may (Istio's egress gateway tasks apply the DestinationRule and the routes in separate steps)
    if (cred && !hasSelector && mode !== 'SIMPLE') {
      if (sidecarRouted) {
        r.error(CREDENTIAL_WITHOUT_SELECTOR, `${field}.credentialName`,
          `credentialName "${tls.credentialName}" on a DestinationRule without workloadSelector: sidecars ignore credentialName (only gateways read it), and a mesh route of the input sends sidecar traffic to host ${spec.host}, which leaves without the client certificate`,
          'Add spec.workloadSelector.matchLabels selecting the client pods (and keep the Secret in their namespace), or use clientCertificate/privateKey files mounted into the sidecar.');
      } else {
        r.warn(CREDENTIAL_WITHOUT_SELECTOR, `${field}.credentialName`,
          `could not check which proxy reads credentialName "${tls.credentialName}" of this DestinationRule without workloadSelector: the routes to host ${spec.host} are not in the input (none from a Gateway, which reads credentialName, nor from sidecars, which ignore it and send their traffic without the client certificate)`,
          'Nothing to do if a Gateway routes to this host from another file (the DestinationRule applies at the gateway); for sidecars, add spec.workloadSelector.matchLabels selecting the client pods (and keep the Secret in their namespace), or use clientCertificate/privateKey files mounted into the sidecar.');
      }
    }
    if (typeof tls.sni === 'string' && tls.sni !== '') {
      const sni = tls.sni;
      if (isIp(sni)) {
        r.warn(TLS_SNI, `${field}.sni`, `sni "${sni}" is an IP address: TLS clients send host names only (RFC 6066), so the server sees an SNI it cannot match`, 'Set sni to the host name the server certificate is issued for, or leave it unset.');
      } else if (wildcardDomainError(sni) !== undefined || sni.includes('*')) {
        r.error(TLS_SNI, `${field}.sni`, `sni ${JSON.stringify(sni)} is not a DNS host name, so no server can match it and the handshake fails`, 'Set sni to the host name the server certificate is issued for, e.g. api.example.com.');
      } else {
        r.warn(TLS_SNI, `${field}.sni`, trailingDotWarning('sni', sni), `Drop the trailing dot: ${JSON.stringify(sni.slice(0, -1))}.`);
      }
    }
  }
}

/**
 * Analyzer CaCertificateAnalyzer: IST0128 (top level) and IST0129 (port level), on the same condition as
 * istioctl analyze (SIMPLE or MUTUAL, no caCertificates, and not credentialName with a workloadSelector), with
 * what Istio 1.24 and later (the 1.30 and 1.31 the library targets) do instead of the analyzer's outdated
 * "no verification" text. Since `VERIFY_CERTIFICATE_AT_CLIENT` became the default (1.21) and lost its off
 * switch (istio/istio#52599, 1.24), an empty caCertificates makes the proxy verify the server against its OS
 * root CAs (pilot cluster_tls.go: `CaCertificatePath: ptr.NonEmptyOrDefault(tls.CaCertificates, "system")`),
 * and a DestinationRule applied at a gateway with credentialName verifies with the Secret's ca.crt. So this
 * is a note; it is a warning only with insecureSkipVerify: true, where no certificate is verified at all.
 */
function checkCaAnalyzer(r: IstioReport, o: Obj, spec: any, atGateway: boolean) {
  const tp = spec.trafficPolicy;
  if (!isMessage(tp)) return;
  const name = `${o.namespace}/${o.name}`;
  const host = typeof spec.host === 'string' ? spec.host : '';
  const selector = spec.workloadSelector !== undefined && spec.workloadSelector !== null;
  const analyzed = (tls: any) => isMessage(tls) && (tls.mode === 'SIMPLE' || tls.mode === 'MUTUAL') && !isSet(tls.caCertificates) && !(isSet(tls.credentialName) && selector);
  const report = (tls: any, field: string, istio: string) => {
    if (tls.insecureSkipVerify === true) {
      r.warn(TLS_CA_CERTIFICATES, `${field}.insecureSkipVerify`,
        `${istio}; insecureSkipVerify is true, so the proxy accepts any server certificate (neither its CA nor its name is verified) and anyone on the path can impersonate ${host || 'the server'}`,
        'Remove insecureSkipVerify: the proxy then verifies the server against its OS root CAs, or against caCertificates / the ca.crt of credentialName when set.');
    } else if (isSet(tls.credentialName) && !atGateway) {
      // MUTUAL: a sidecar ignores credentialName without workloadSelector and loses the client certificate: istio/credential-without-selector
      if (tls.mode === 'SIMPLE') {
        r.warn(TLS_CA_CERTIFICATES, `${field}.credentialName`,
          `${istio}: sidecars ignore credentialName "${tls.credentialName}" on a DestinationRule without workloadSelector, so the CA certificate (ca.crt) of that Secret is not used; the proxy verifies the server certificate against its OS root CAs instead`,
          'Add spec.workloadSelector.matchLabels selecting the client pods (and keep the Secret in their namespace), or set caCertificates to a CA bundle mounted into the sidecar; nothing to do for a server with a publicly trusted certificate.');
      }
    } else if (isSet(tls.credentialName)) {
      r.note(TLS_CA_CERTIFICATES, `${field}.caCertificates`,
        `${istio}: the DestinationRule applies at a gateway, which verifies the server certificate with the CA certificate (ca.crt) of Secret "${tls.credentialName}" named by credentialName (istioctl analyze still reports this as a warning)`,
        `Nothing to do if Secret "${tls.credentialName}" carries the CA that issued the server certificate.`);
    } else {
      r.note(TLS_CA_CERTIFICATES, `${field}.caCertificates`,
        `${istio}: since Istio 1.24 an empty caCertificates means that the proxy verifies the server certificate against its OS root CAs (istioctl analyze still reports this as a warning that the certificate is not verified)`,
        'Nothing to do for a server with a publicly trusted certificate; for a private CA, set caCertificates (a CA bundle mounted into the proxy) or credentialName (a Secret with ca.crt).');
    }
  };
  if (analyzed(tp.tls)) {
    report(tp.tls, 'spec.trafficPolicy.tls', `IST0128: DestinationRule ${name} in namespace ${o.namespace} has TLS mode set to ${tp.tls.mode} but no caCertificates are set to validate server identity for host: ${host}`);
  }
  if (Array.isArray(tp.portLevelSettings)) {
    tp.portLevelSettings.forEach((p: any, i: number) => {
      if (!analyzed(p?.tls)) return;
      const port = isMessage(p.port) && typeof p.port.number === 'number' ? `number:${p.port.number}` : '';
      report(p.tls, `spec.trafficPolicy.portLevelSettings[${i}].tls`, `IST0129: DestinationRule ${name} in namespace ${o.namespace} has TLS mode set to ${p.tls.mode} but no caCertificates are set to validate server identity for host: ${host} at port ${port}`);
    });
  }
}

/**
 * This project (Envoy's behaviour as Istio configures it, pilot cluster_tls.go setAutoSniAndAutoSanValidation):
 * without `sni` and `subjectAltNames`, Istio sets Envoy's auto_sni and auto_san_validation, so the server
 * certificate must carry the name of the requested host. An explicit `sni` turns both off, and without
 * subjectAltNames on the TLS settings or on the host's ServiceEntry (which Istio uses when the settings have
 * none) no name is checked: any certificate the trusted CAs issued, for any name, is accepted. Reported
 * (a warning) when the trusted CAs are the OS roots, so that any publicly trusted certificate passes; not with
 * caCertificates or credentialName, where only certificates of that (usually private) CA pass.
 */
function checkServerName(r: IstioReport, o: Obj, spec: any, serviceEntries: Map<string, Obj[]>) {
  const tp = spec.trafficPolicy;
  if (!isMessage(tp)) return;
  const host = typeof spec.host === 'string' ? spec.host : '';
  const ns = o.namespace ?? 'default';
  const seSans = host !== '' && (serviceEntries.get(host) ?? []).some(se => exportedTo(se, ns) && isSet(se.raw?.spec?.subjectAltNames));
  const check = (tls: any, field: string) => {
    if (!isMessage(tls) || (tls.mode !== 'SIMPLE' && tls.mode !== 'MUTUAL') || tls.insecureSkipVerify === true) return;
    if (typeof tls.sni !== 'string' || tls.sni === '' || isSet(tls.subjectAltNames) || seSans) return;
    // with caCertificates or credentialName only that CA's certificates pass: a private CA, not the real risk
    if (isSet(tls.caCertificates) || isSet(tls.credentialName)) return;
    r.warn(TLS_SERVER_NAME, `${field}.subjectAltNames`,
      `sni "${tls.sni}" is set and no subjectAltNames (on the DestinationRule or the ServiceEntry of ${host}): the proxy verifies the server certificate against its OS root CAs but checks no name, so any publicly trusted certificate, issued for any domain, is accepted for ${host}`,
      `Add subjectAltNames: [${JSON.stringify(tls.sni)}] (the names the server certificate must carry), or remove sni so that the proxy checks the certificate against the requested host.`);
  };
  check(tp.tls, 'spec.trafficPolicy.tls');
  if (Array.isArray(tp.portLevelSettings)) tp.portLevelSettings.forEach((p: any, i: number) => check(p?.tls, `spec.trafficPolicy.portLevelSettings[${i}].tls`));
}

/** This project's check: port-level settings for a port that the ServiceEntry of the host does not have never apply. */
function checkPortLevelPorts(r: IstioReport, o: Obj, spec: any, serviceEntries: Map<string, Obj[]>) {
  const host = spec.host;
  const check = (pls: any, base: string) => {
    if (!Array.isArray(pls)) return;
    const seen = new Map<number, number>();
    const matchingSes = typeof host === 'string' ? (serviceEntries.get(host) ?? []).filter(se => exportedTo(se, o.namespace ?? 'default')) : [];
    pls.forEach((p: any, i: number) => {
      const f = `${base}[${i}].port`;
      if (!isMessage(p?.port)) return; // Istio's "portTrafficPolicy must have valid port"
      const num = p.port.number;
      if (typeof num !== 'number') {
        r.error(PORT_LEVEL_SETTINGS, f, 'portLevelSettings entry without port.number: the settings match no port', 'Set port.number to a port of the destination service.');
        return;
      }
      if (seen.has(num)) r.error(PORT_LEVEL_SETTINGS, `${f}.number`, `port ${num} already has settings at ${base}[${seen.get(num)}]`, 'Merge the settings of one port into one entry.');
      seen.set(num, i);
      if (matchingSes.length && !matchingSes.some(se => (se.raw.spec.ports ?? []).some((sp: any) => sp?.number === num))) {
        const avail = matchingSes.flatMap(se => (se.raw.spec.ports ?? []).map((sp: any) => sp?.number)).join(', ');
        r.error(PORT_LEVEL_SETTINGS, `${f}.number`, `port ${num} is not a port of ServiceEntry ${matchingSes.map(s => `${s.namespace}/${s.name}`).join(', ')} for host ${host} (ports: ${avail}); these settings never apply`, `Use one of the ServiceEntry ports (${avail}).`);
      }
    });
  };
  check(spec.trafficPolicy?.portLevelSettings, 'spec.trafficPolicy.portLevelSettings');
  if (Array.isArray(spec.subsets)) spec.subsets.forEach((s: any, i: number) => check(s?.trafficPolicy?.portLevelSettings, `spec.subsets[${i}].trafficPolicy.portLevelSettings`));
}

function exportedTo(se: Obj, ns: string): boolean {
  const e = se.raw?.spec?.exportTo;
  if (!Array.isArray(e) || e.length === 0) return true;
  return e.includes('*') || e.includes(ns) || (e.includes('.') && se.namespace === ns);
}
