// IST0149 JwtClaimBasedRoutingWithoutRequestAuthN (src/validator/rules/analyzer/jwt-claim-route.ts): a VirtualService
// routes on a JWT claim at a Gateway whose pods no RequestAuthentication of the output applies to (a warning here).
import { validateManifests, type Finding } from '../../../../src/validator';

const ID = 'analyzer/jwt-claim-route-without-request-authn';

const vs = (header: string) => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'foo', namespace: 'default' },
  spec: {
    hosts: ['foo.com'],
    gateways: ['foo-gateway'],
    http: [{ match: [{ uri: { prefix: '/' }, headers: { [header]: { exact: 'foo' } } }], route: [{ destination: { host: 'foo.default.svc.cluster.local' } }] }],
  },
});
const gateway = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'Gateway',
  metadata: { name: 'foo-gateway', namespace: 'default' },
  spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['foo.com'] }] },
};
const gatewayPod = {
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'ingressgateway', namespace: 'istio-system', labels: { istio: 'ingressgateway' } },
  spec: { containers: [{ name: 'istio-proxy', image: 'istio/proxyv2:1.30.3' }] },
};
const requestAuthn = (namespace: string, matchLabels?: { [k: string]: string }) => ({
  apiVersion: 'security.istio.io/v1',
  kind: 'RequestAuthentication',
  metadata: { name: 'jwt', namespace },
  spec: { ...(matchLabels ? { selector: { matchLabels } } : {}), jwtRules: [{ issuer: 'https://issuer.example.com', jwksUri: 'https://issuer.example.com/jwks.json' }] },
});
const of = (objs: unknown[]): Finding[] => validateManifests(objs).findings.filter(f => f.ruleId === ID);

describe('analyzer/jwt-claim-route-without-request-authn (IST0149)', () => {
  test('fails (warning): routing on @request.auth.claims.foo at a gateway whose pod no RequestAuthentication selects', () => {
    const fs = of([vs('@request.auth.claims.foo'), gateway, gatewayPod]);
    expect(fs.map(f => [f.severity, f.object.name, f.field])).toEqual([['warning', 'foo', 'spec.http[0].match[0].headers']]);
    expect(fs[0].message).toBe('IST0149 The virtual service uses the JWT claim based routing (key: @request.auth.claims.foo) but found no request authentication for the gateway (default/foo-gateway) pod (istio-system/ingressgateway). The request authentication must first be applied for the gateway pods to validate the JWT token and make the claims available for routing (no RequestAuthentication of the output in istio-system or namespace "istio-system" selects Pod ingressgateway; one installed out of band could not be checked).');
    // the bracket form is a claim too; another RequestAuthentication's selector does not cover the pod
    expect(of([vs('@request.auth.claims[groups]'), gateway, gatewayPod, requestAuthn('istio-system', { app: 'other' })])).toHaveLength(1);
  });

  test('passes: a RequestAuthentication of istio-system selects the pod; a plain header; no pod of the gateway in the output', () => {
    expect(of([vs('@request.auth.claims.foo'), gateway, gatewayPod, requestAuthn('istio-system', { istio: 'ingressgateway' })])).toEqual([]);
    expect(of([vs('@request.auth.claims.foo'), gateway, gatewayPod, requestAuthn('istio-system')])).toEqual([]);
    expect(of([vs('x-user'), gateway, gatewayPod])).toEqual([]);
    expect(of([vs('@request.auth.claims.foo'), gateway])).toEqual([]);
  });
});
