// IST0144 InvalidApplicationUID (src/validator/rules/analyzer/application-uid.ts, Istio's deployment.ApplicationUIDAnalyzer).
import { validateManifests, type Finding } from '../../../../src/validator';

const ID = 'analyzer/application-uid';
const container = (name: string, uid?: number) => ({ name, image: 'app:1', ...(uid !== undefined ? { securityContext: { runAsUser: uid } } : {}) });
const pod = (name: string, spec: object, labels: object = { app: name }) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'apps', labels }, spec });
const deployment = (name: string, spec: object) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'apps' },
  spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec } },
});
const found = (objs: unknown[]): Finding[] => validateManifests(objs).findings.filter(f => f.ruleId === ID);

describe('analyzer/application-uid (IST0144)', () => {
  test('fails: pod-level and container-level runAsUser 1337, one warning per object (the first field)', () => {
    const fs = found([
      pod('pod-level', { securityContext: { runAsUser: 1337 }, containers: [container('app', 1337)] }),
      deployment('container-level', { containers: [container('app', 1000), container('worker', 1337)] }),
    ]);
    expect(fs.map(f => `${f.severity} ${f.object.kind} ${f.object.name} ${f.field}`)).toEqual([
      'warning Pod pod-level spec.securityContext.runAsUser',
      'warning Deployment container-level spec.template.spec.containers[1].securityContext.runAsUser',
    ]);
    expect(fs[0].message).toBe('IST0144 User ID (UID) 1337 is reserved for the sidecar proxy.');
  });

  test('passes: another UID, 1337 only on istio-proxy / istio-operator containers or init containers, control-plane objects', () => {
    expect(found([
      pod('other', { containers: [container('app', 1000)] }),
      pod('proxy', { containers: [container('app'), container('istio-proxy', 1337), container('istio-operator', 1337)], initContainers: [container('init', 1337)] }),
      pod('gateway', { securityContext: { runAsUser: 1337 }, containers: [container('app')] }, { istio: 'egressgateway' }),
    ])).toEqual([]);
  });
});
