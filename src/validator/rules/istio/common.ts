/**
 * Building blocks of Istio 1.30.3's webhook validation (pkg/config/validation, agent/validation.go,
 * pkg/config/labels, pkg/config/protocol), shared by the per-kind Istio checks. Each returns Istio's own
 * message (or undefined when the value is valid).
 */
import type { Obj, Reporter } from '../../context';
import type { Severity } from '../../types';
import { defineRule, type Rule } from '../rule';

export const ISTIO_METADATA = defineRule({
  id: 'istio/metadata',
  family: 'istio',
  severity: 'error',
  description: 'The istio.io/dry-run or internal.istio.io/webhook-always-reject annotation, which the webhook refuses here.',
  source: 'Istio validation.go validateMetadata',
  details: 'validateMetadata: the istio.io/dry-run annotation (AuthorizationPolicy only, with a boolean value and action ALLOW or DENY: checkDryRunAnnotation) and internal.istio.io/webhook-always-reject on ServiceEntry, DestinationRule, Sidecar, AuthorizationPolicy, PeerAuthentication and RequestAuthentication.',
});

export const EXPORT_TO = defineRule({
  id: 'istio/export-to',
  family: 'istio',
  severity: 'error',
  description: 'exportTo entries (or the networking.istio.io/exportTo annotation) are invalid, duplicated or conflicting.',
  source: 'Istio validation.go validateExportTo',
  details: 'validateExportTo: ".", "*" or DNS-label namespaces, no duplicates (also "." and the own namespace), "*" alone, "~" only on ServiceEntries and alone; a DestinationRule with workloadSelector exports only to its own namespace. Also the networking.istio.io/exportTo annotation of Services.',
});

/** labels.IsDNS1123Label: Istio accepts upper case letters too. */
const DNS1123_LABEL = /^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?$/;
const WILDCARD_LABEL = /^(\*|(\*|\*-)?[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?)$/;
const QUALIFIED_NAME = '(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const LABEL_FMT = '[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?';
const TAG_KEY = new RegExp(`^(${LABEL_FMT}(?:\\.${LABEL_FMT})*/)?(${QUALIFIED_NAME})$`);
const LABEL_VALUE = new RegExp(`^(${QUALIFIED_NAME})?$`);

export function isDns1123Label(v: string): boolean {
  return v.length <= 63 && DNS1123_LABEL.test(v);
}

/** netip.ParseAddr: dotted-decimal IPv4 without leading zeros, or IPv6 (optionally with a zone). */
export function isIp(s: string): boolean {
  return isIpv4(s) || isIpv6(s);
}
function isIpv4(s: string): boolean {
  const p = s.split('.');
  return p.length === 4 && p.every(x => /^(0|[1-9]\d{0,2})$/.test(x) && Number(x) <= 255);
}
function isIpv6(s: string): boolean {
  const addr = s.includes('%') ? s.slice(0, s.indexOf('%')) : s;
  if (s.endsWith('%') || !addr.includes(':') || !/^[0-9a-fA-F:.]+$/.test(addr)) return false;
  try {
    new URL(`http://[${addr}]/`);
    return true;
  } catch {
    return false;
  }
}

/** agent.ValidateIPAddress */
export function ipAddressError(addr: string): string | undefined {
  return isIp(addr) ? undefined : `${addr} is not a valid IP`;
}

/** agent.ValidateIPSubnet: "a.b.c.d/xx", "2001:1::1/64" or a single address. */
export function ipSubnetError(subnet: string): string | undefined {
  if ((subnet.match(/\//g) ?? []).length === 1) {
    const [ip, bits] = subnet.split('/');
    const max = isIpv4(ip) ? 32 : isIpv6(ip) && !ip.includes('%') ? 128 : -1;
    if (max < 0 || !/^(0|[1-9]\d*)$/.test(bits) || Number(bits) > max) return `${subnet} is not a valid CIDR block`;
    return undefined;
  }
  return ipAddressError(subnet);
}

/** Go's %q for the strings this validator quotes (escapes quotes, backslashes and control characters). */
export function q(s: string): string {
  return JSON.stringify(s);
}

/** agent.CheckDNS1123Preconditions */
export function dns1123PreconditionsError(name: string): string | undefined {
  if (name.length > 255) return `domain name ${q(name)} too long (max 255)`;
  if (name.length === 0) return 'empty domain name not allowed';
  return undefined;
}

/** agent.ValidateDNS1123Labels */
export function dns1123LabelsError(domain: string): string | undefined {
  const parts = domain.split('.');
  const tld = parts[parts.length - 1];
  if (/^[+-]?\d+$/.test(tld)) return `domain name ${q(domain)} invalid (top level domain ${q(tld)} cannot be all-numeric)`;
  for (let i = 0; i < parts.length; i++) {
    if (i === parts.length - 1 && parts[i] === '') return undefined; // "istio.io."
    if (!isDns1123Label(parts[i])) return `domain name ${q(domain)} invalid (label ${q(parts[i])} invalid)`;
  }
  return undefined;
}

/** agent.ValidateFQDN */
export function fqdnError(fqdn: string): string | undefined {
  return dns1123PreconditionsError(fqdn) ?? dns1123LabelsError(fqdn);
}

/** agent.ValidateWildcardDomain: a DNS name whose first label may be "*", "*foo" or "*-foo". */
export function wildcardDomainError(domain: string): string | undefined {
  const pre = dns1123PreconditionsError(domain);
  if (pre) return pre;
  const dot = domain.indexOf('.');
  const first = dot < 0 ? domain : domain.slice(0, dot);
  if (first.length > 63 || !WILDCARD_LABEL.test(first)) return `domain name ${q(domain)} invalid (label ${q(first)} invalid)`;
  return dot < 0 ? undefined : dns1123LabelsError(domain.slice(dot + 1));
}

/** agent.ValidatePartialWildCard */
export function partialWildcardError(host: string): string | undefined {
  return host.includes('*') && host.length !== 1 && !host.startsWith('*.') ? `partial wildcard "${host}" not allowed` : undefined;
}

/** agent.ValidatePort */
export function portError(port: unknown): string | undefined {
  const n = typeof port === 'number' ? port : 0;
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? undefined : `port number ${n} must be in the range 1..65535`;
}

/** ValidatePortName */
export function portNameError(name: unknown): string | undefined {
  const n = typeof name === 'string' ? name : '';
  return isDns1123Label(n) ? undefined : `invalid port name: ${n}`;
}

/** protocol.Parse */
export type Protocol = 'TCP' | 'UDP' | 'GRPC' | 'GRPC-Web' | 'HTTP' | 'HTTP_PROXY' | 'HTTP2' | 'HTTPS' | 'TLS' | 'Mongo' | 'Redis' | 'MySQL' | 'UnsupportedProtocol';
const PROTOCOLS: Record<string, Protocol> = {
  'tcp': 'TCP', 'udp': 'UDP', 'grpc': 'GRPC', 'grpc-web': 'GRPC-Web', 'http': 'HTTP', 'http_proxy': 'HTTP_PROXY', 'http2': 'HTTP2',
  'https': 'HTTPS', 'tls': 'TLS', 'mongo': 'Mongo', 'redis': 'Redis', 'mysql': 'MySQL',
};
export function parseProtocol(p: unknown): Protocol {
  return (typeof p === 'string' ? PROTOCOLS[p.toLowerCase()] : undefined) ?? 'UnsupportedProtocol';
}
export const isHttpProtocol = (p: Protocol) => ['HTTP', 'HTTP2', 'HTTP_PROXY', 'GRPC', 'GRPC-Web'].includes(p);
export const isTlsProtocol = (p: Protocol) => p === 'HTTPS' || p === 'TLS';
export const isTcpProtocol = (p: Protocol) => ['TCP', 'HTTPS', 'TLS', 'Mongo', 'Redis', 'MySQL'].includes(p);
export const SUPPORTED_PROTOCOLS = 'HTTP, HTTPS, HTTP2, GRPC, GRPC-Web, HTTP_PROXY, TCP, TLS, UDP, Mongo, Redis, MySQL';

/** ValidateProtocol: empty means protocol sniffing. */
export function protocolError(p: unknown): string | undefined {
  if (p === undefined || p === null || p === '') return undefined;
  return parseProtocol(p) === 'UnsupportedProtocol' ? `unsupported protocol: ${String(p)}` : undefined;
}

/** labels.Instance.Validate: Kubernetes label keys and values. */
export function labelErrors(labels: unknown): string[] {
  if (!labels || typeof labels !== 'object' || Array.isArray(labels)) return [];
  const errs: string[] = [];
  for (const [k, v] of Object.entries(labels)) {
    const m = TAG_KEY.exec(k);
    if (!m) errs.push(`invalid tag key: ${JSON.stringify(k)}`);
    else if (m[1] && m[1].length - 1 > 253) errs.push(`invalid tag key: ${JSON.stringify(k)} (DNS prefix is too long)`);
    else if (m[2].length > 63) errs.push(`invalid tag key: ${JSON.stringify(k)} (name is too long)`);
    if (typeof v === 'string' && !LABEL_VALUE.test(v)) errs.push(`invalid tag value: ${JSON.stringify(v)}`);
  }
  return errs;
}

/** ValidatePercent */
export function percentError(v: unknown): string | undefined {
  return typeof v === 'number' && (v < 0 || v > 100) ? `percentage ${v} is not in range 0..100` : undefined;
}

const UNITS: Record<string, bigint> = { ns: 1n, us: 1000n, µs: 1000n, μs: 1000n, ms: 1000000n, s: 1000000000n, m: 60000000000n, h: 3600000000000n };
/** Go time.ParseDuration (what Istio's YAML decoder accepts for google.protobuf.Duration), in nanoseconds. */
export function parseDuration(s: string): bigint | undefined {
  const m = /^([-+]?)(.*)$/.exec(s)!;
  let rest = m[2];
  if (rest === '0') return 0n;
  if (rest === '') return undefined;
  let total = 0n;
  while (rest) {
    const part = /^(\d*)(?:\.(\d*))?(ns|us|\u00b5s|\u03bcs|ms|s|m|h)/.exec(rest);
    if (!part || (part[1] === '' && !part[2])) return undefined;
    const unit = UNITS[part[3]];
    total += BigInt(part[1] || '0') * unit;
    if (part[2]) total += (BigInt(part[2]) * unit) / 10n ** BigInt(part[2].length);
    rest = rest.slice(part[0].length);
  }
  return m[1] === '-' ? -total : total;
}

const MS = 1000000n;
/** agent.ValidateDuration: at least 1ms, whole milliseconds. */
export function durationError(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined; // the schema reports the type
  const ns = parseDuration(v);
  if (ns === undefined) return `invalid duration ${JSON.stringify(v)}`;
  if (ns < MS) return 'duration must be greater than 1ms';
  if (ns % MS !== 0n) return 'only durations to ms precision are supported';
  return undefined;
}

/** Present as Go sees a decoded proto field: set, not null, and a non-empty list when it is a list. */
export function isSet(v: unknown): boolean {
  return v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0) && v !== '' && v !== 0 && v !== false;
}
/** A message field (an object, possibly empty) is set. */
export function isMessage(v: unknown): v is Record<string, any> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** Reports for one object with the severity Istio gives (error or warning), or a note. */
export class IstioReport {
  constructor(private readonly rep: Reporter, private readonly o: Obj) {}
  error(rule: Rule, field: string, message: string | undefined, fix: string) {
    if (message) this.rep.add(this.o, rule, field, message, fix, 'error');
  }
  warn(rule: Rule, field: string, message: string | undefined, fix: string) {
    if (message) this.rep.add(this.o, rule, field, message, fix, 'warning');
  }
  note(rule: Rule, field: string, message: string | undefined, fix: string) {
    if (message) this.rep.add(this.o, rule, field, message, fix, 'note');
  }
  add(rule: Rule, field: string, message: string | undefined, fix: string, severity: Severity) {
    if (message) this.rep.add(this.o, rule, field, message, fix, severity);
  }
}

const EXPORT_FIX = 'Use ".", "*" or namespace names, each once; "*" alone ("~" alone, on ServiceEntries and Services only).';

/** validateExportTo; messages as Istio's. */
export function exportToErrors(values: unknown, namespace: string, isServiceEntry: boolean, isDrWithSelector: boolean): string[] {
  if (!Array.isArray(values) || values.length === 0) return [];
  const errs: string[] = [];
  const set = new Set<string>();
  for (const raw of values) {
    const e = typeof raw === 'string' ? raw : String(raw);
    const key = e === '.' ? namespace : e;
    if (set.has(key)) {
      errs.push(key !== e ? `duplicate entries in exportTo: . and current namespace ${namespace}` : `duplicate entries in exportTo for entry ${e}`);
    } else if (isServiceEntry && e === '~') {
      set.add(key);
    } else if (key === '~') {
      errs.push('exportTo ~ (none) is not allowed for Istio configuration objects');
    } else if (key !== '.' && key !== '*' && !isDns1123Label(key)) {
      errs.push('only .,*, or a valid DNS 1123 label is allowed as exportTo entry');
    } else {
      set.add(key);
    }
  }
  if (isDrWithSelector && set.size > 0) {
    if (set.has(namespace)) {
      if (set.size > 1) errs.push('destination rule with workload selector cannot have multiple entries in exportTo');
    } else {
      errs.push('destination rule with workload selector cannot have exportTo beyond current namespace');
    }
  }
  if (set.has('*') && values.length > 1) errs.push('cannot have both public (*) and non-public exportTo values for a resource');
  if (set.has('~') && values.length > 1) errs.push('cannot export service entry to no one (~) and someone');
  return errs;
}
export { EXPORT_FIX };

/** validateMetadata: annotations the webhook refuses on every Istio config kind. */
export function checkIstioMetadata(o: Obj, r: IstioReport) {
  const a = o.raw?.metadata?.annotations;
  if (!isMessage(a)) return;
  if ('istio.io/dry-run' in a && o.kind !== 'AuthorizationPolicy') {
    r.error(ISTIO_METADATA, 'metadata.annotations["istio.io/dry-run"]', `${o.namespace}/${o.name} has unsupported annotation istio.io/dry-run, please remove the annotation`, 'Remove the annotation; only AuthorizationPolicy supports dry-run.');
  }
  if ('internal.istio.io/webhook-always-reject' in a) {
    r.error(ISTIO_METADATA, 'metadata.annotations["internal.istio.io/webhook-always-reject"]', '"internal.istio.io/webhook-always-reject" annotation found, rejecting', 'Remove the annotation.');
  }
}

/**
 * This project (Istio accepts it: ValidateDNS1123Labels allows an empty last label, "for unambiguous names like
 * `istio.io.`"): a host or SNI with a trailing dot. Envoy compares hosts and server names as strings, and clients
 * send, and certificates carry, names without the dot, so nothing matches it. A warning that says why; undefined
 * for any other value.
 */
export function trailingDotWarning(what: string, value: unknown): string | undefined {
  if (typeof value !== 'string' || !/[^.]\.$/.test(value)) return undefined;
  return `${what} ${JSON.stringify(value)} ends with '.': Istio accepts it, but Envoy compares hosts and server names (SNI) as strings and clients send names without the dot (RFC 6066 forbids it in SNI), so traffic for ${JSON.stringify(value.slice(0, -1))} does not match it`;
}
