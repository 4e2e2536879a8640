/**
 * The Kubernetes CEL library functions that the kept CRDs call and @bufbuild/cel lacks, as plain functions:
 * cel.ts binds them into the interpreter's environment, cel-fast.ts calls them directly. URL values are
 * represented as their string form.
 */
import { isIP as netIsIp } from 'net';

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;

/** Go's url.ParseRequestURI acceptance, approximately: absolute URL with scheme, or absolute path. */
export function isUrl(s: string): boolean {
  if (/\s/.test(s) || s === '') return false;
  if (s.startsWith('/')) return true;
  const m = SCHEME.exec(s);
  if (!m) return false;
  try {
    new URL(s);
    return true;
  } catch {
    return false;
  }
}

/** The scheme of a URL (lower case), '' when it has none: <URL>.getScheme(). */
export function schemeOf(s: string): string {
  const m = SCHEME.exec(s);
  return m ? m[1].toLowerCase() : '';
}

/**
 * Kubernetes' isIP(): an IPv4 address without leading zeros or an IPv6 address (IPv4-mapped allowed),
 * without a zone. Node's net.isIP agrees except that it accepts an IPv6 zone ("fe80::1%eth0").
 */
export function isIp(s: string): boolean {
  return netIsIp(s) !== 0 && !s.includes('%');
}

/** Kubernetes' isCIDR(): an address (as isIP) and a prefix length within the family's bits. */
export function isCidr(s: string): boolean {
  const m = /^([^/]+)\/(0|[1-9][0-9]{0,2})$/.exec(s);
  if (!m || !isIp(m[1])) return false;
  return Number(m[2]) <= (netIsIp(m[1]) === 4 ? 32 : 128);
}
