// Structural schema rules (src/validator/rules/schema/): the seed of the Egress TLS Origination task, mutated.
import { validateManifests } from '../../../../src/validator';
import { expectFinding, find, mtlsTls, mutated, MUTUAL_DR } from '../../../support/validator-seed';

describe('structural schema', () => {
  test('unknown field in an Istio object', () => {
    const r = mutated(objs => { mtlsTls(objs).credentialNme = 'x'; });
    const f = expectFinding(r, 'schema/unknown-field', 'spec.trafficPolicy.portLevelSettings[0].tls.credentialNme');
    expect(f.fix).toMatch(/credentialName/);
    expect(f.object).toMatchObject({ kind: 'DestinationRule', name: MUTUAL_DR, namespace: 'default' });
  });
  test('wrong enum', () => {
    const r = mutated(objs => { mtlsTls(objs).mode = 'MUTUAL_TLS'; });
    expectFinding(r, 'schema/enum', 'spec.trafficPolicy.portLevelSettings[0].tls.mode');
  });
  test('wrong type', () => {
    const r = mutated(objs => { find(objs, 'ServiceEntry', 'edition-cnn-com').spec.ports[0].number = '80'; });
    expectFinding(r, 'schema/type', 'spec.ports[0].number');
  });
  test('required field', () => {
    const r = mutated(objs => { delete find(objs, 'ServiceEntry', 'edition-cnn-com').spec.ports[1].name; });
    expectFinding(r, 'schema/required', 'spec.ports[1].name');
  });
  test('int32 format', () => {
    const r = mutated(objs => { find(objs, 'DestinationRule', 'edition-cnn-com').spec.trafficPolicy.connectionPool = { http: { maxRetries: 2 ** 40 } }; });
    expectFinding(r, 'schema/format', 'spec.trafficPolicy.connectionPool.http.maxRetries');
  });
  test('oneOf (loadBalancer simple and consistentHash)', () => {
    const r = mutated(objs => { find(objs, 'DestinationRule', MUTUAL_DR).spec.trafficPolicy.loadBalancer.consistentHash = { useSourceIp: true }; });
    expectFinding(r, 'schema/one-of', 'spec.trafficPolicy.loadBalancer');
  });
  test('unserved version', () => {
    const r = mutated(objs => { find(objs, 'ServiceEntry', 'edition-cnn-com').apiVersion = 'networking.istio.io/v1beta2'; });
    expectFinding(r, 'schema/unserved-version', 'apiVersion');
  });
  test('unknown field in metadata and in a built-in kind (upstream Kubernetes schema)', () => {
    const r = mutated(objs => {
      find(objs, 'ServiceEntry', 'edition-cnn-com').metadata.labelz = { a: 'b' };
      find(objs, 'Deployment', 'my-nginx').spec.template.spec.containers[0].imagePullPolicyy = 'Always';
      find(objs, 'Service', 'my-nginx').spec.ports[0].targetPort = 1.5;
      find(objs, 'RoleBinding', 'client-credential-role-binding').roleRef.namespace = 'default';
    });
    expectFinding(r, 'schema/unknown-field', 'metadata.labelz');
    expectFinding(r, 'schema/unknown-field', 'spec.template.spec.containers[0].imagePullPolicyy');
    expectFinding(r, 'schema/type', 'spec.ports[0].targetPort');
    expectFinding(r, 'schema/unknown-field', 'roleRef.namespace');
  });
  test('built-in required fields and names', () => {
    const r = mutated(objs => {
      delete find(objs, 'Deployment', 'sleep').spec.template.spec.containers[0].name;
      find(objs, 'ConfigMap', 'nginx-configmap').metadata.name = 'Nginx_Config';
    });
    expectFinding(r, 'schema/required', 'spec.template.spec.containers[0].name');
    expectFinding(r, 'schema/metadata-name', 'metadata.name');
  });
  test('x-kubernetes-preserve-unknown-fields and x-kubernetes-int-or-string are honoured', () => {
    const envoyFilter = {
      apiVersion: 'networking.istio.io/v1alpha3', kind: 'EnvoyFilter', metadata: { name: 'ef', namespace: 'default' },
      spec: { configPatches: [{ applyTo: 'CLUSTER', patch: { operation: 'MERGE', value: { anything: { goes: [1, 'two'] } } } }] },
    };
    // only the warning Istio's webhook gives every EnvoyFilter (istio/envoy-filter-internal)
    expect(validateManifests([envoyFilter]).findings.map((f) => `${f.severity} ${f.ruleId}`)).toEqual(['warning istio/envoy-filter-internal']);
    const r = mutated(objs => { find(objs, 'Service', 'my-nginx').spec.ports[0].targetPort = 'https'; });
    expect(r.findings.some(f => f.ruleId.startsWith('schema/'))).toBe(false);
    expectFinding(r, 'wiring/port-chain', 'spec.ports[0].targetPort'); // named port not declared by the container
    const bad = mutated(objs => { find(objs, 'Service', 'my-nginx').spec.ports[0].targetPort = true; });
    expectFinding(bad, 'schema/type', 'spec.ports[0].targetPort');
  });

  test('unknown kind of a known group is an error, of an unknown group a note', () => {
    const r = validateManifests([
      { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntri', metadata: { name: 'x' } },
      { apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 'y' } },
    ]);
    expect(r.findings.map(f => [f.ruleId, f.severity])).toEqual([['schema/unknown-kind', 'error'], ['schema/unknown-kind', 'note']]);
    expect(r.notes[0].message).toBe('could not check example.com/v1 Thing structurally: no schema is known for its API group');
  });
});

describe('value validations of the schema', () => {
  // an HTTPRoute parentRef: namespace has a pattern (DNS label) and maxLength 63, name minLength 1
  const route = (parentRef: any) => ({
    apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r', namespace: 'shop' },
    spec: { parentRefs: [parentRef], rules: [{ backendRefs: [{ name: 'api', port: 443 }] }] },
  });
  const of = (obj: any, rule: string) => validateManifests([obj]).findings.filter((f) => f.ruleId === rule).map((f) => `${f.severity} ${f.field}: ${f.message}`);

  test('schema/pattern fails when a string does not match the pattern', () => {
    expect(of(route({ name: 'gw', namespace: 'Bad_NS' }), 'schema/pattern')).toEqual([
      'error spec.parentRefs[0].namespace: "Bad_NS" does not match the pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
    ]);
  });

  test('schema/range fails when a string is shorter or longer than the schema allows', () => {
    expect(of(route({ name: '', namespace: 'x'.repeat(64) }), 'schema/range')).toEqual([
      'error spec.parentRefs[0].name: must be at least 1 characters long',
      'error spec.parentRefs[0].namespace: must be at most 63 characters long (is 64)',
    ]);
  });

  test('schema/pattern and schema/range pass values inside the schema', () => {
    const ok = route({ name: 'gw', namespace: 'istio-egress' });
    expect([...of(ok, 'schema/pattern'), ...of(ok, 'schema/range')]).toEqual([]);
  });
});

describe('null fields', () => {
  const dr = (spec: any) => ({ apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'reviews', namespace: 'default' }, spec });
  test('a field left empty in a custom resource (trafficPolicy:) is pruned by the API server, not an error', () => {
    const r = validateManifests([dr({ host: 'reviews', trafficPolicy: null, subsets: [{ name: 'v1', labels: { version: 'v1' } }] })]);
    expect(r.findings.filter((f) => f.ruleId.startsWith('schema/') || f.ruleId.startsWith('istio/'))).toEqual([]);
  });
  test('a required field set to null is missing, in a custom resource as in a built-in kind', () => {
    const r = validateManifests([dr({ host: null })]);
    expect(r.errors.map((f) => `${f.ruleId} ${f.field}`)).toContain('schema/required spec.host');
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'default' }, spec: { ports: [{ port: null, name: 'http' }] } };
    expect(validateManifests([svc]).errors.map((f) => `${f.ruleId} ${f.field}`)).toContain('schema/required spec.ports[0].port');
  });
  test('a null array item of a custom resource is still an error', () => {
    const r = validateManifests([dr({ host: 'reviews', subsets: [null] })]);
    expect(r.errors.map((f) => f.ruleId)).toContain('schema/type');
  });
});
