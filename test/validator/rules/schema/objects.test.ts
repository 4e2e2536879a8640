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
