import { validateManifests } from '../../../../src/validator';

// RequestAuthentication webhook rules (Istio 1.30.3 ValidateRequestAuthentication, validateJwtRule,
// warnPrivateJwksKeys); Istio's table is in test/validator/conformance/request-authentication.yaml.
const ra = (jwtRules: unknown[], extra: Record<string, unknown> = {}) => ({
  apiVersion: 'security.istio.io/v1', kind: 'RequestAuthentication', metadata: { name: 'jwt', namespace: 'apps' }, spec: { jwtRules, ...extra },
});
const istio = (obj: unknown) => validateManifests([obj]).findings.filter((f) => f.ruleId.startsWith('istio/')).map((f) => [f.severity, f.ruleId, f.field, f.message]);
const PUBLIC_RSA = { kty: 'RSA', e: 'AQAB', kid: 'k1', n: 'xAE7eB6qugXyCAG3yhh7pkDkT65pHymX' };

describe('RequestAuthentication', () => {
  test('fails when a JWT rule has neither issuer nor jwksUri', () => {
    expect(istio(ra([{ audiences: ['api'] }]))).toEqual([['error', 'istio/jwt-rule', 'spec.jwtRules[0]', 'issuer or jwksUri must be non-empty string']]);
  });

  test('fails on a jwksUri without http(s) scheme or with a non-numeric port', () => {
    expect(istio(ra([{ issuer: 'a', jwksUri: 'ftp://idp.example.com/keys' }, { issuer: 'b', jwksUri: 'https://idp.example.com:https/keys' }])).map((f) => [f[1], f[2], f[3]])).toEqual([
      ['istio/jwt-rule', 'spec.jwtRules[0].jwksUri', 'URI scheme "ftp" is not supported'],
      ['istio/jwt-rule', 'spec.jwtRules[1].jwksUri', 'parse "https://idp.example.com:https/keys": invalid port ":https" after host'],
    ]);
  });

  test('fails on a jwks that does not parse, and on a bad timeout', () => {
    expect(istio(ra([{ issuer: 'a', jwks: '{"keys":[{"kty":"RSA","e":"AQAB"}]}', timeout: '500us' }])).map((f) => [f[1], f[2], f[3]])).toEqual([
      ['istio/jwt-rule', 'spec.jwtRules[0].jwks', 'jwks parse error: failed to parse key: required field n is missing'],
      ['istio/jwt-rule', 'spec.jwtRules[0].timeout', 'duration must be greater than 1ms'],
    ]);
  });

  test('a jwks with a private or symmetric key is Istio\'s warning', () => {
    const jwks = JSON.stringify({ keys: [PUBLIC_RSA, { ...PUBLIC_RSA, kid: 'k2', d: 'secret' }, { kty: 'oct', k: 'c2VjcmV0' }] });
    expect(istio(ra([{ issuer: 'a', jwks }])).map((f) => [f[0], f[1], f[3]])).toEqual([
      ['warning', 'istio/jwks-private-key', 'jwks key at index 1 contains private key material; only public keys are used for verification'],
      ['warning', 'istio/jwks-private-key', 'jwks key at index 2 contains private key material; only public keys are used for verification'],
    ]);
  });

  test('fails when selector and targetRef are both set', () => {
    expect(istio(ra([], { selector: { matchLabels: { app: 'web' } }, targetRef: { kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'egress' } }))).toEqual([
      ['error', 'istio/policy-target-ref', 'spec', 'only one of targetRefs or workloadSelector can be set'],
    ]);
  });

  test('a well-formed policy has no finding', () => {
    expect(istio(ra([{
      issuer: 'https://idp.example.com', jwksUri: 'https://idp.example.com:8443/keys', audiences: ['api'], fromHeaders: [{ name: 'x-jwt', prefix: 'Bearer ' }],
      outputClaimToHeaders: [{ header: 'x-sub', claim: 'sub' }], timeout: '5s',
    }, { issuer: 'inline', jwks: JSON.stringify({ keys: [PUBLIC_RSA] }) }], { targetRefs: [{ kind: 'Service', name: 'web' }] }))).toEqual([]);
  });
});
