// Istio's authz.AuthorizationPoliciesAnalyzer (src/validator/rules/analyzer/authorization-policies.ts): policies that
// select no workload (IST0127) and source namespaces that match no Namespace (IST0101), notes here (could not check).
import { validateManifests, type Finding } from '../../../../src/validator';

const WORKLOADS = 'analyzer/authz-no-matching-workloads';
const NAMESPACE = 'analyzer/authz-namespace-not-found';

const ap = (name: string, namespace: string, spec: object) => ({ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name, namespace }, spec });
const pod = (namespace: string, labels: { [k: string]: string }, annotations: { [k: string]: string } = {}) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'httpbin', namespace, labels, annotations }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
});
const namespace = (name: string, labels: { [k: string]: string } = {}) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
const of = (objs: unknown[], ...ids: string[]): Finding[] => validateManifests(objs).findings.filter(f => ids.includes(f.ruleId));

describe('analyzer/authz-no-matching-workloads (IST0127, could not check)', () => {
  test('fails (note): a selector no pod template of its namespace carries; a namespace-wide policy in a namespace without pods', () => {
    const fs = of([
      pod('httpbin', { app: 'httpbin', version: 'v1' }),
      ap('httpbin-nopods', 'httpbin', { selector: { matchLabels: { version: 'v1', app: 'bogus-label' } } }),
      ap('httpbin-empty-namespace-wide', 'httpbin-empty', {}),
    ], WORKLOADS);
    expect(fs.map(f => [f.severity, f.object.name, f.field])).toEqual([['note', 'httpbin-nopods', 'spec.selector'], ['note', 'httpbin-empty-namespace-wide', 'metadata.namespace']]);
    expect(fs[0].message).toBe('IST0127 No matching workloads for this resource with the following labels: app=bogus-label,version=v1: could not check it, no pod template of the output in the mesh in namespace "httpbin" carries these labels, so the workloads must be deployed out of band (or the policy applies to nothing)');
  });

  test('fails (note): a pod that opts out of injection, or whose Namespace of the output is not injected, is not in the mesh', () => {
    expect(of([pod('a', { app: 'x' }, { 'sidecar.istio.io/inject': 'false' }), ap('p', 'a', { selector: { matchLabels: { app: 'x' } } })], WORKLOADS)).toHaveLength(1);
    expect(of([namespace('b'), pod('b', { app: 'x' }), ap('p', 'b', { selector: { matchLabels: { app: 'x' } } })], WORKLOADS)).toHaveLength(1);
  });

  test('passes: the selector selects a pod; a root-namespace policy selects a pod of another namespace; mesh-wide and targetRefs policies', () => {
    expect(of([
      namespace('httpbin', { 'istio-injection': 'enabled' }),
      pod('httpbin', { app: 'httpbin', version: 'v1' }),
      ap('ok', 'httpbin', { selector: { matchLabels: { app: 'httpbin' } } }),
      ap('meshwide-v1', 'istio-system', { selector: { matchLabels: { version: 'v1' } } }),
      ap('meshwide', 'istio-system', {}),
      ap('targeted', 'elsewhere', { targetRefs: [{ group: 'networking.istio.io', kind: 'ServiceEntry', name: 'se' }] }),
    ], WORKLOADS)).toEqual([]);
  });
});

describe('analyzer/authz-namespace-not-found (IST0101, could not check)', () => {
  const rules = (namespaces: string[]) => ({ rules: [{ from: [{ source: { namespaces } }, { source: { notNamespaces: namespaces } }] }] });

  test('fails (note): "*-bogus" and "bogus-*" match no Namespace of the output, in namespaces and in notNamespaces', () => {
    const fs = of([namespace('prod-httpbin'), namespace('httpbin-test'), ap('p', 'httpbin', rules(['prod-*', '*-test', '*-bogus', 'bogus-*', '*', 'HTTPBIN-test']))], NAMESPACE);
    expect(fs.map(f => [f.severity, f.field])).toEqual([
      ['note', 'spec.rules[0].from[0].source.namespaces[2]'], ['note', 'spec.rules[0].from[0].source.namespaces[3]'],
      ['note', 'spec.rules[0].from[1].source.notNamespaces[2]'], ['note', 'spec.rules[0].from[1].source.notNamespaces[3]'],
    ]);
    expect(fs[0].message).toBe('IST0101 Referenced namespace not found: "*-bogus": could not check it, no Namespace of the output matches it, so it must exist out of band (or the entry matches no request)');
  });

  test('passes: every entry matches a Namespace of the output (a name compared ignoring case)', () => {
    expect(of([namespace('prod-httpbin'), ap('p', 'prod-httpbin', rules(['prod-*', '*-httpbin', 'Prod-Httpbin', '*']))], NAMESPACE)).toEqual([]);
  });
});
