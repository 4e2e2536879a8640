// IST0109 ConflictingMeshGatewayVirtualServiceHosts (src/validator/rules/analyzer/conflicting-mesh-gateway-hosts.ts):
// VirtualServices bound to the mesh gateway that define the same host in scopes that meet.
import { validateManifests, type Finding } from '../../../../src/validator';

const ID = 'analyzer/conflicting-mesh-gateway-hosts';

const vs = (name: string, namespace: string, hosts: string[], extra: { gateways?: string[]; exportTo?: string[] } = {}) => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name, namespace },
  spec: { hosts, ...extra, http: [{ route: [{ destination: { host: 'ratings.foo.svc.cluster.local' } }] }] },
});
const of = (objs: unknown[]): Finding[] => validateManifests(objs).findings.filter(f => f.ruleId === ID);

describe('analyzer/conflicting-mesh-gateway-hosts (IST0109)', () => {
  test('fails: the short name "ratings" in foo and the FQDN in bar are one host on the mesh gateway; both are errors', () => {
    const fs = of([vs('ratings', 'foo', ['ratings'], { gateways: ['mesh'] }), vs('ratings', 'bar', ['ratings.foo.svc.cluster.local', 'google.com'], { gateways: ['gw', 'mesh'] })]);
    expect(fs.map(f => [f.severity, `${f.object.namespace}/${f.object.name}`, f.field])).toEqual([['error', 'foo/ratings', 'spec.hosts'], ['error', 'bar/ratings', 'spec.hosts']]);
    expect(fs[0].message).toBe('IST0109 The VirtualServices bar/ratings,foo/ratings associated with mesh gateway define the same host */ratings.foo.svc.cluster.local which can lead to undefined behavior. This can be fixed by merging the conflicting VirtualServices into a single resource.');
  });

  test('fails: a wildcard host exported to all overlaps the one of a namespace scope', () => {
    const fs = of([vs('d', 'foo', ['*.productpage.d'], { exportTo: ['.'] }), vs('d', 'bar', ['*.d'], { exportTo: ['*'] })]);
    expect(fs.map(f => `${f.object.namespace}/${f.object.name}`)).toEqual(['foo/d', 'bar/d']);
    expect(fs[0].message).toContain('define the same host foo/*.productpage.d ');
  });

  test('passes: exportTo "." in two namespaces, a VirtualService bound only to a gateway, different hosts', () => {
    expect(of([vs('b', 'foo', ['*.productpage.b'], { exportTo: ['foo'] }), vs('b', 'bar', ['*.productpage.b'], { exportTo: ['.'] })])).toEqual([]);
    expect(of([vs('a', 'foo', ['reviews']), vs('b', 'bar', ['reviews.foo.svc.cluster.local'], { gateways: ['istio-ingressgateway'] })])).toEqual([]);
    expect(of([vs('a', 'foo', ['reviews']), vs('b', 'foo', ['ratings'])])).toEqual([]);
  });

  test('warns (not an error): one VirtualService routes the host with tls, the other with http, as Istio\'s egress-gateway mutual TLS task does; both take effect', () => {
    const tls = { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'nginx', namespace: 'default' },
      spec: { hosts: ['nginx.example.com'], tls: [{ match: [{ port: 443, sniHosts: ['nginx.example.com'] }], route: [{ destination: { host: 'nginx.example.com', port: { number: 443 } } }] }] } };
    const http = { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'direct-nginx', namespace: 'default' },
      spec: { hosts: ['nginx.example.com'], gateways: ['mesh'], http: [{ match: [{ port: 80 }], route: [{ destination: { host: 'nginx.example.com', port: { number: 443 } } }] }] } };
    const fs = of([tls, http]);
    expect(fs.map(f => [f.severity, f.object.name])).toEqual([['warning', 'nginx'], ['warning', 'direct-nginx']]);
    expect(fs[0].message).toMatch(/^IST0109 The VirtualServices default\/direct-nginx,default\/nginx associated with mesh gateway define the same host/);
    // GIVEN a third one with http routes too, THEN the two http ones are errors, the tls one stays a warning
    const third = { ...http, metadata: { name: 'other', namespace: 'default' } };
    expect(of([tls, http, third]).map(f => [f.severity, f.object.name])).toEqual([['warning', 'nginx'], ['error', 'direct-nginx'], ['error', 'other']]);
  });
});
