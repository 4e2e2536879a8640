/**
 * RequestAuthentication as Istio 1.30.3 validates it: ValidateRequestAuthentication with validateJwtRule,
 * warnPrivateJwksKeys, pkg/config/security ParseJwksURI, ValidateStrictHTTPHeaderName, agent.ValidateDuration,
 * validateOneOfSelectorType, validateWorkloadSelector and validatePolicyTargetReference(s) (policy-target.ts),
 * and validateMetadata (no istio.io/dry-run). Istio 1.31 validates RequestAuthentication the same.
 */
import type { Obj, Reporter } from '../../context';
import { checkIstioMetadata, durationError, IstioReport, isMessage } from './common';
import { checkPolicySelector, checkPolicyTargets } from './policy-target';
import { defineRule } from '../rule';

export const JWT_RULE = defineRule({
  id: 'istio/jwt-rule',
  family: 'istio',
  severity: 'error',
  description: 'A RequestAuthentication JWT rule has no issuer nor jwksUri, a bad jwksUri or jwks, or an empty audience, location or claim header.',
  source: 'Istio validation.go validateJwtRule, pkg/config/security ParseJwksURI',
  details: 'validateJwtRule: audiences non-empty; issuer or jwksUri; jwksUri an http:// or https:// URL (with a numeric port, if any); jwks a JSON Web Key (Set) that parses; fromHeaders entries not null and named; fromParams and fromCookies non-empty; outputClaimToHeaders entries not null, with claim and header, the header of [-_A-Za-z0-9]; timeout at least 1ms in whole milliseconds.',
});

export const JWKS_PRIVATE_KEY = defineRule({
  id: 'istio/jwks-private-key',
  family: 'istio',
  severity: 'warning',
  description: 'An inline jwks holds private key material, which verification does not need.',
  source: 'Istio validation.go warnPrivateJwksKeys',
  details: 'Istio\'s warning: an RSA, EC or OKP key with a private part ("d") or a symmetric ("oct") key in jwks; Envoy only needs public keys.',
});

const JWT_FIX = 'See the JWTRule reference: issuer, jwksUri (http/https) or jwks, and non-empty names.';
const KEY_PARAMS: Record<string, string[]> = { RSA: ['n', 'e'], EC: ['crv', 'x', 'y'], OKP: ['crv', 'x'], oct: ['k'] };

/** jwk.Parse (a key or a set of keys): the parse error, or the keys. */
function parseJwks(text: string): { error: string } | { keys: any[] } {
  let v: any;
  try {
    v = JSON.parse(text);
  } catch {
    return { error: 'failed to unmarshal JWK set: not valid JSON' };
  }
  if (!isMessage(v)) return { error: 'failed to unmarshal JWK set: not a JSON object' };
  const keys: any[] = Array.isArray(v.keys) ? v.keys : 'keys' in v ? [] : [v];
  for (const k of keys) {
    if (!isMessage(k)) return { error: 'failed to parse key: not a JSON object' };
    const need = typeof k.kty === 'string' ? KEY_PARAMS[k.kty] : undefined;
    if (!need) return { error: `failed to parse key: invalid key type ${JSON.stringify(k.kty ?? '')}` };
    const missing = need.find((p) => typeof k[p] !== 'string' || k[p] === '');
    if (missing) return { error: `failed to parse key: required field ${missing} is missing` };
  }
  return { keys };
}

/** security.ParseJwksURI through Go's url.Parse. */
function jwksUriError(uri: string): string | undefined {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):(.*)$/s.exec(uri);
  const scheme = m ? m[1].toLowerCase() : '';
  if (scheme !== 'http' && scheme !== 'https') return `URI scheme ${JSON.stringify(scheme)} is not supported`;
  const rest = m![2];
  if (!rest.startsWith('//')) return undefined;
  const authority = rest.slice(2).split(/[/?#]/)[0];
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
  const colon = hostPort.startsWith('[') ? hostPort.indexOf(':', hostPort.indexOf(']')) : hostPort.indexOf(':');
  if (colon >= 0 && !/^\d*$/.test(hostPort.slice(colon + 1))) {
    return `parse ${JSON.stringify(uri)}: invalid port ${JSON.stringify(hostPort.slice(colon))} after host`;
  }
  return undefined;
}

export function checkRequestAuthentication(o: Obj, rep: Reporter): void {
  const r = new IstioReport(rep, o);
  checkIstioMetadata(o, r);
  if (o.raw?.metadata?.annotations?.['istio.io/dry-run'] !== undefined) return;
  const spec = isMessage(o.raw?.spec) ? o.raw.spec : {};
  checkPolicyTargets(spec, r);
  checkPolicySelector(spec, 'selector', r);
  (Array.isArray(spec.jwtRules) ? spec.jwtRules : []).forEach((rule: any, i: number) => {
    if (!isMessage(rule)) return;
    const base = `spec.jwtRules[${i}]`;
    const s = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
    const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
    if (arr(rule.audiences).some((a) => s(a) === '')) r.error(JWT_RULE, `${base}.audiences`, 'audience must be non-empty string', JWT_FIX);
    const jwksUri = s(rule.jwksUri ?? rule.jwks_uri);
    if (s(rule.issuer) === '' && jwksUri === '') r.error(JWT_RULE, base, 'issuer or jwksUri must be non-empty string', 'Set issuer (and jwksUri or jwks).');
    if (jwksUri !== '') r.error(JWT_RULE, `${base}.jwksUri`, jwksUriError(jwksUri), 'Use an http:// or https:// URL.');
    const jwks = s(rule.jwks);
    if (jwks !== '') {
      const parsed = parseJwks(jwks);
      if ('error' in parsed) {
        r.error(JWT_RULE, `${base}.jwks`, `jwks parse error: ${parsed.error}`, 'Give a JSON Web Key Set: {"keys": [...]}.');
      } else {
        parsed.keys.forEach((k, j) => {
          if (k.kty === 'oct' || ('d' in k && k.kty !== 'oct')) {
            r.warn(JWKS_PRIVATE_KEY, `${base}.jwks`, `jwks key at index ${j} contains private key material; only public keys are used for verification`, 'Keep only the public parts of the keys (drop "d", and symmetric keys).');
          }
        });
      }
    }
    arr(rule.fromHeaders).forEach((h: any, j) => {
      if (!isMessage(h)) r.error(JWT_RULE, `${base}.fromHeaders[${j}]`, 'location header name must be non-null', JWT_FIX);
      else if (s(h.name) === '') r.error(JWT_RULE, `${base}.fromHeaders[${j}].name`, 'location header name must be non-empty string', JWT_FIX);
    });
    arr(rule.fromParams).forEach((p, j) => {
      if (s(p) === '') r.error(JWT_RULE, `${base}.fromParams[${j}]`, 'location query must be non-empty string', JWT_FIX);
    });
    arr(rule.fromCookies).forEach((c, j) => {
      if (s(c) === '') r.error(JWT_RULE, `${base}.fromCookies[${j}]`, 'cookie name must be non-empty string', JWT_FIX);
    });
    arr(rule.outputClaimToHeaders).forEach((c: any, j) => {
      const f = `${base}.outputClaimToHeaders[${j}]`;
      if (!isMessage(c)) r.error(JWT_RULE, f, 'outputClaimToHeaders must not be null', JWT_FIX);
      else if (s(c.claim) === '' || s(c.header) === '') r.error(JWT_RULE, f, 'outputClaimToHeaders header and claim value must be non-empty string', JWT_FIX);
      else if (!/^[-_A-Za-z0-9]+$/.test(s(c.header))) r.error(JWT_RULE, `${f}.header`, `header name ${s(c.header)} is not a valid header name`, 'Use letters, digits, "-" and "_".');
    });
    if (rule.timeout !== undefined && rule.timeout !== null) r.error(JWT_RULE, `${base}.timeout`, durationError(rule.timeout), 'Use a duration of whole milliseconds, at least 1ms.');
  });
}
