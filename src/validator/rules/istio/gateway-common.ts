/**
 * Helpers shared by the Gateway and VirtualService checks, after istio/istio 1.30.3
 * pkg/config/validation/agent (ValidateWildcardDomain, ValidateFQDN, ValidatePort, ValidateDuration,
 * ValidateIPSubnet), pkg/config/labels, pkg/config/host and pkg/config/protocol. Each function returns
 * Istio's own message, or undefined when the value is valid.
 */
import {
  dns1123PreconditionsError as dnsPreconditions, fqdnError, ipAddressError as ipAddressErr, ipSubnetError as ipSubnetErr,
  isDns1123Label, labelErrors as labelsErrors, portError as portErr, q, wildcardDomainError as wildcardDomainErr,
} from './common';

// the building blocks are common.ts's (shared with the ServiceEntry/DestinationRule/Sidecar checks)
export { fqdnError, ipAddressErr, ipSubnetErr, isDns1123Label, labelsErrors, portErr, q, wildcardDomainErr };

const OUTBOUND_FORMAT = 'outbound_.<port>_._.<hostname>';

/** agent.ValidateWildcardDomainForVirtualServiceBoundToGateway: also admits outbound_.<port>_._.<host> SNI names. */
export function gatewayBoundDomainErr(sni: boolean, domain: string): string | undefined {
  const pre = dnsPreconditions(domain);
  if (pre) return pre;
  if (sni && domain.startsWith('outbound_')) {
    const parts = domain.split('_');
    if (parts.length < 4) return `domain name ${domain} invalid, should follow '${OUTBOUND_FORMAT}' format`;
    const trim = (s: string) => s.replace(/^\.+|\.+$/g, '');
    const [direction, port, hostname] = [parts[0], trim(parts[1]), trim(parts[3])];
    if (direction !== 'outbound') return `domain name ${q(domain)} invalid (label ${q(direction)} invalid)`;
    if (!/[0-9]/.test(port)) return `domain name ${q(domain)} invalid (label ${q(port)} invalid). should follow ${OUTBOUND_FORMAT} format`;
    if (!/[a-zA-Z]/.test(hostname)) return `domain name ${q(domain)} invalid (label ${q(hostname)} invalid). should follow ${OUTBOUND_FORMAT} format`;
    return undefined;
  }
  return wildcardDomainErr(domain);
}

/** host.Name(a).Matches(b): either host, wildcards included, covers the other. */
export function hostMatches(a: string, b: string): boolean {
  const aw = a.startsWith('*');
  const bw = b.startsWith('*');
  if (aw && bw) return a.length < b.length ? b.slice(1).endsWith(a.slice(1)) : a.slice(1).endsWith(b.slice(1));
  if (aw) return b.endsWith(a.slice(1));
  if (bw) return a.endsWith(b.slice(1));
  return a === b;
}

/** host.Name(a).SubsetOf(b) */
export function hostSubsetOf(a: string, b: string): boolean {
  if (b.startsWith('*')) return a.startsWith('*') ? a.slice(1).endsWith(b.slice(1)) : a.endsWith(b.slice(1));
  return !a.startsWith('*') && a === b;
}

/** protocol.Parse, case-insensitive; undefined for Unsupported. */
export function parseProtocol(p: unknown): string | undefined {
  const s = typeof p === 'string' ? p.toUpperCase() : '';
  return ['TCP', 'UDP', 'GRPC', 'GRPC-WEB', 'HTTP', 'HTTP_PROXY', 'HTTP2', 'HTTPS', 'TLS', 'MONGO', 'REDIS', 'MYSQL'].includes(s) ? s : undefined;
}
export function isHttpProtocol(p: string | undefined): boolean {
  return p === 'HTTP' || p === 'HTTP2' || p === 'HTTP_PROXY' || p === 'GRPC' || p === 'GRPC-WEB';
}
export function isTlsProtocol(p: string | undefined): boolean {
  return p === 'HTTPS' || p === 'TLS';
}

const UNIT_NS: Record<string, bigint> = {
  'ns': 1n, 'us': 1000n, 'µs': 1000n, 'μs': 1000n, 'ms': 1000000n, 's': 1000000000n, 'm': 60000000000n, 'h': 3600000000000n,
};

/** Go time.ParseDuration (also protobuf JSON "1.5s"), in nanoseconds; undefined when unparseable. */
export function parseDurationNs(s: string): bigint | undefined {
  const m = /^([-+]?)(.+)$/.exec(s);
  if (!m || s === '') return undefined;
  if (m[2] === '0') return 0n;
  let rest = m[2];
  let total = 0n;
  while (rest.length) {
    const c = /^(\d*)(?:\.(\d*))?(ns|us|\u00b5s|\u03bcs|ms|s|m|h)/.exec(rest);
    if (!c || (c[1] === '' && (c[2] ?? '') === '')) return undefined;
    const unit = UNIT_NS[c[3]];
    const frac = c[2] ?? '';
    total += BigInt(c[1] || '0') * unit;
    if (frac) total += (BigInt(frac) * unit) / 10n ** BigInt(frac.length);
    rest = rest.slice(c[0].length);
  }
  return m[1] === '-' ? -total : total;
}

/** agent.ValidateDuration on a duration string; undefined for valid or unparseable (the schema reports those). */
export function durationErr(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const ns = parseDurationNs(value);
  if (ns === undefined) return undefined;
  if (ns < 1000000n) return 'duration must be greater than 1ms';
  if (ns % 1000000n !== 0n) return 'only durations to ms precision are supported';
  return undefined;
}

/**
 * validateStringRegexp: at most 1024 characters and valid RE2. RE2 is checked by compiling with JavaScript
 * (after mapping RE2's (?P<name> and leading (?flags) groups) and refusing what RE2 lacks: look-around and
 * back-references.
 */
export function regexErr(re: string, where: string): string | undefined {
  if (re.length > 1024) return `${q(where)}: regex is too large, max length allowed is 1024`;
  const problem = re2Error(re);
  return problem ? `${q(where)}: ${problem}; Istio uses RE2 style regex-based match (https://github.com/google/re2/wiki/Syntax)` : undefined;
}

/** Why RE2 (Go's regexp.Compile) refuses `re`, as "error parsing regexp: ...", or undefined (see regexErr). */
export function re2Error(re: string): string | undefined {
  if (/\(\?<?[=!]/.test(re)) return 'error parsing regexp: invalid or unsupported Perl syntax: look-around';
  if (/(^|[^\\])(\\\\)*\\[1-9]/.test(re)) return 'error parsing regexp: invalid escape sequence: back-reference';
  try {
    new RegExp(re.replace(/\(\?P</g, '(?<').replace(/\(\?[imsU]+\)/g, '').replace(/\(\?[imsU]+:/g, '(?:'));
  } catch (e) {
    return `error parsing regexp: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}`;
  }
  return undefined;
}

/** The one match type set on a StringMatch (exact, prefix or regex), if any. */
export function matchType(sm: any): ['exact' | 'prefix' | 'regex', string] | undefined {
  if (!sm || typeof sm !== 'object') return undefined;
  for (const k of ['exact', 'prefix', 'regex'] as const) if (typeof sm[k] === 'string') return [k, sm[k]];
  return undefined;
}

/** validateStringMatchRegexp */
export function stringMatchRegexpErr(sm: any, where: string): string | undefined {
  const t = matchType(sm);
  if (!t || t[0] !== 'regex') return undefined;
  if (t[1] === '') return `${q(where)}: regex string match should not be empty`;
  return regexErr(t[1], where);
}

/** validateStringMatch: no empty prefix, valid regex. */
export function stringMatchErr(sm: any, where: string): string | undefined {
  const t = matchType(sm);
  if (t && t[0] === 'prefix' && t[1] === '') return `${q(where)}: prefix string match should not be empty`;
  return stringMatchRegexpErr(sm, where);
}

/** Canonical JSON (sorted keys, zero values and `name` dropped) to compare matches as Istio's asJSON does. */
export function canonicalJson(v: unknown, dropName = false): string {
  const norm = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(norm);
    if (x && typeof x === 'object') {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(x).sort()) {
        if (dropName && k === 'name' && x === v) continue;
        const e = (x as any)[k];
        if (e === null || e === undefined || e === false || e === 0 || e === '' || (Array.isArray(e) && e.length === 0)) continue;
        out[k] = norm(e);
      }
      return out;
    }
    return x;
  };
  return JSON.stringify(norm(v) ?? null);
}

export function isObj(x: unknown): x is Record<string, any> {
  return !!x && typeof x === 'object' && !Array.isArray(x);
}
export function arr(x: unknown): any[] {
  return Array.isArray(x) ? x : [];
}
export function str(x: unknown): string {
  return typeof x === 'string' ? x : '';
}
export function num(x: unknown): number {
  return typeof x === 'number' ? x : 0;
}
