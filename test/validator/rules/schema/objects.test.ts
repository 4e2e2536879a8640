// Rules about a whole object (src/validator/rules/schema/objects.ts): scope, names, kinds.
import { validateManifests, type Finding } from '../../../../src/validator';

const schema = (objs: any[]): Array<Pick<Finding, 'ruleId' | 'severity' | 'field' | 'message'>> =>
  validateManifests(objs).findings.filter((f) => f.ruleId.startsWith('schema/')).map(({ ruleId, severity, field, message }) => ({ ruleId, severity, field, message }));
const clusterIssuer = (metadata: any) => ({ apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata, spec: { selfSigned: {} } });

describe('schema/namespace-scope', () => {
  test('fails when a cluster-scoped object carries metadata.namespace', () => {
    // GIVEN a cert-manager ClusterIssuer with a namespace WHEN it is validated THEN the namespace is the error
    expect(schema([clusterIssuer({ name: 'selfsigned', namespace: 'shop' })])).toEqual([
      { ruleId: 'schema/namespace-scope', severity: 'error', field: 'metadata.namespace', message: 'ClusterIssuer is cluster-scoped but has metadata.namespace' },
    ]);
  });

  test('passes a cluster-scoped object without namespace', () => {
    expect(schema([clusterIssuer({ name: 'selfsigned' })])).toEqual([]);
  });
});

describe('kinds of the Gateway API experimental channel', () => {
  test('TCPRoute v1alpha2 (Istio\'s tcp-echo sample) is a warning naming it, not an unknown-kind error', () => {
    const route = { apiVersion: 'gateway.networking.k8s.io/v1alpha2', kind: 'TCPRoute', metadata: { name: 'tcp-echo', namespace: 'default' }, spec: { parentRefs: [{ name: 'tcp-echo-gateway' }] } };
    const f = validateManifests([route]).findings.filter((x) => x.ruleId === 'schema/unknown-kind');
    expect(f.map((x) => `${x.severity} ${x.message}`)).toEqual([expect.stringMatching(/^warning could not check gateway.networking.k8s.io\/v1alpha2 TCPRoute structurally: it is a kind of the Gateway API's experimental channel/)]);
    // a misspelt kind of the group stays an error
    expect(validateManifests([{ ...route, kind: 'TCPRoutes' }]).errors.map((x) => x.ruleId)).toEqual(['schema/unknown-kind']);
  });
});
