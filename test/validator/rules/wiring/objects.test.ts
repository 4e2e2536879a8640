import { validateManifests } from '../../../../src/validator';

const cm = (data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'conf', namespace: 'default' }, data });

describe('wiring/duplicate-object', () => {
  test('fails when two different objects share group, kind, namespace and name', () => {
    // GIVEN two ConfigMaps default/conf with different data
    // WHEN validated together
    const r = validateManifests([cm({ a: '1' }), cm({ a: '2' })]);
    // THEN the second is reported: applied together, it replaces the first
    expect(r.errors.map((e) => [e.ruleId, e.object.name, e.field])).toEqual([['wiring/duplicate-object', 'conf', 'metadata.name']]);
    expect(r.errors[0].message).toMatch(/ConfigMap default\/conf is emitted twice with different content \(document #1 and document #2\)/);
  });

  test('identical copies and same names in other namespaces or kinds pass', () => {
    const other = { ...cm({ a: '1' }), metadata: { name: 'conf', namespace: 'other' } };
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'conf', namespace: 'default' }, type: 'Opaque' };
    const r = validateManifests([cm({ a: '1' }), cm({ a: '1' }), other, secret]);
    expect(r.findings.filter((f) => f.ruleId === 'wiring/duplicate-object')).toEqual([]);
  });
});
