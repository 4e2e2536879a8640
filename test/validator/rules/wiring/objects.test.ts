import { validateManifests } from '../../../../src/validator';
import { expectFinding, find, mutated, MUTUAL_DR } from '../../../support/validator-seed';

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

// On the seed of the Egress TLS Origination task, mutated (moved from test/validator/validator.test.ts).
describe('wiring across objects', () => {
  test('DestinationRule workloadSelector selects no workload', () => {
    const r = mutated(objs => { find(objs, 'DestinationRule', MUTUAL_DR).spec.workloadSelector.matchLabels.app = 'sleepy'; });
    expectFinding(r, 'wiring/selector-matches-workload', 'spec.workloadSelector.matchLabels');
  });
  test('the client selected by an originating DestinationRule gets no sidecar', () => {
    const field = 'spec.template.metadata.labels';
    // pods opt out
    let r = mutated(objs => { find(objs, 'Deployment', 'sleep').spec.template.metadata.labels['sidecar.istio.io/inject'] = 'false'; });
    expect(expectFinding(r, 'wiring/sidecar-injection', field).message).toMatch(/opt out of sidecar injection/);
    // the namespace is in the output and not labelled for injection
    r = mutated(objs => objs.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } }));
    expect(expectFinding(r, 'wiring/sidecar-injection', field).message).toMatch(/nor its namespace "default" \(istio-injection: unset\)/);
    // the pods opt in, or the namespace does: no finding
    for (const fix of [
      (objs: any[]) => { find(objs, 'Deployment', 'sleep').spec.template.metadata.labels['sidecar.istio.io/inject'] = 'true'; },
      (objs: any[]) => objs.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default', labels: { 'istio-injection': 'enabled' } } }),
      (objs: any[]) => objs.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default', labels: { 'istio.io/rev': 'stable' } } }),
    ]) {
      expect(mutated(fix).findings.filter(f => f.ruleId === 'wiring/sidecar-injection')).toEqual([]);
    }
  });
  test('Service selector selects no workload: a warning (Kubernetes accepts it; its pods may come from another file)', () => {
    const r = mutated(objs => { find(objs, 'Service', 'my-nginx').spec.selector = { run: 'nginx' }; });
    expect(expectFinding(r, 'wiring/selector-matches-workload', 'spec.selector', 'warning').message).toMatch(/^Service selector \{run=nginx\} selects no pod template of the output in namespace "mesh-external"/);
    expect(r.errors.filter(f => f.ruleId === 'wiring/selector-matches-workload')).toEqual([]);
  });
  test('RoleBinding references a missing Role and ServiceAccount', () => {
    const r = mutated(objs => {
      const rb = find(objs, 'RoleBinding', 'client-credential-role-binding');
      rb.roleRef.name = 'client-credential';
      rb.subjects.push({ kind: 'ServiceAccount', name: 'ghost', namespace: 'default' });
    });
    // severity contract: the API server accepts the binding; another file may create the Role or the account (warnings)
    expect(expectFinding(r, 'wiring/rolebinding-role', 'roleRef.name', 'warning').message).toMatch(/^could not check that Role "client-credential" exists: it is not in the output/);
    expect(expectFinding(r, 'wiring/rolebinding-subject', 'subjects[1]', 'warning').message).toMatch(/^could not check that ServiceAccount default\/ghost exists: it is not in the output/);
    expect(r.errors.filter(f => f.ruleId.startsWith('wiring/rolebinding'))).toEqual([]);
  });
  test('bound ServiceAccount used by no pod; pod ServiceAccount missing', () => {
    const r = mutated(objs => { find(objs, 'Deployment', 'sleep').spec.template.spec.serviceAccountName = 'sleeper'; });
    // severity contract: the account may be run by pods deployed elsewhere or used as a token (note), and a
    // missing ServiceAccount may be created by another file (warning): neither is known to fail
    expect(expectFinding(r, 'wiring/serviceaccount-used', 'metadata.name', 'note').message).toMatch(/^could not check who uses ServiceAccount default\/sleep: it is bound by RoleBinding .* but no pod template of the output runs as it/);
    expect(expectFinding(r, 'wiring/serviceaccount-exists', 'spec.template.spec.serviceAccountName', 'warning').message).toMatch(/^could not check that ServiceAccount default\/sleeper exists: it is not in the output/);
    expect(r.errors.filter(f => f.ruleId.startsWith('wiring/serviceaccount'))).toEqual([]);
  });
  test('serviceAccountName "" is the default account, which needs no ServiceAccount object', () => {
    const r = mutated(objs => { find(objs, 'Deployment', 'my-nginx').spec.template.spec.serviceAccountName = ''; });
    expect(r.findings.filter(f => f.ruleId === 'wiring/serviceaccount-exists')).toEqual([]);
  });
  test('mounted ConfigMap missing', () => {
    const r = mutated(objs => objs.splice(objs.indexOf(find(objs, 'ConfigMap', 'nginx-configmap')), 1));
    // another file may create it (the pod waits for it): could not check, a warning
    expect(expectFinding(r, 'wiring/configmap-exists', 'spec.template.spec.volumes[0].configMap.name', 'warning').message).toMatch(/^could not check that ConfigMap mesh-external\/nginx-configmap exists/);
  });
  test('credentialName secret must be readable: Role without list', () => {
    const r = mutated(objs => { find(objs, 'Role', 'client-credential-role').rules[0].verbs = ['get']; });
    // the input's own RBAC for the namespace demonstrably does not grant list: an error
    const f = expectFinding(r, 'wiring/credential-rbac', 'spec.trafficPolicy.portLevelSettings[0].tls.credentialName');
    expect(f.message).toBe('service account default/sleep of the selected workload (Deployment/sleep) is not bound to a Role granting "list" on secrets in namespace "default"; istiod will not serve credential "client-credential" to its sidecar');
  });
  test('credential-rbac: no Role or RoleBinding in the input at all is a warning that RBAC could not be checked', () => {
    // GIVEN the seed without its Role and RoleBinding (RBAC managed elsewhere)
    const r = mutated(objs => { for (const k of ['Role', 'RoleBinding']) objs.splice(objs.findIndex(o => o.kind === k), 1); });
    // THEN a warning that says what could not be checked, not an error
    const f = expectFinding(r, 'wiring/credential-rbac', 'spec.trafficPolicy.portLevelSettings[0].tls.credentialName', 'warning');
    expect(f.message).toBe('could not check that service account default/sleep of the selected workload (Deployment/sleep) may list secrets in namespace "default": its RBAC is not in the input (no Role or RoleBinding in that namespace, nor a ClusterRoleBinding of its service accounts), so it is managed elsewhere; istiod serves credential "client-credential" to its sidecar only if a Role bound to it grants "list" on secrets');
    expect(r.errors.filter(e => e.ruleId === 'wiring/credential-rbac')).toEqual([]);
    // a ClusterRoleBinding of an account of the namespace is the input's RBAC for it: an error
    const crb = mutated(objs => {
      for (const k of ['Role', 'RoleBinding']) objs.splice(objs.findIndex(o => o.kind === k), 1);
      objs.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'view-sleep' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'ServiceAccount', name: 'sleep', namespace: 'default' }] });
    });
    // (view, a built-in ClusterRole of every cluster, grants no secrets; edit does)
    expectFinding(crb, 'wiring/credential-rbac', 'spec.trafficPolicy.portLevelSettings[0].tls.credentialName');
    const edit = mutated(objs => {
      for (const k of ['Role', 'RoleBinding']) objs.splice(objs.findIndex(o => o.kind === k), 1);
      objs.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'edit-sleep' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' }, subjects: [{ kind: 'ServiceAccount', name: 'sleep', namespace: 'default' }] });
    });
    expect(edit.findings.filter(f => f.ruleId === 'wiring/credential-rbac')).toEqual([]);
  });
  test('credential-rbac: a RoleBinding to a Role that is not in the input is a warning', () => {
    const r = mutated(objs => { objs.splice(objs.findIndex(o => o.kind === 'Role'), 1); });
    const f = expectFinding(r, 'wiring/credential-rbac', 'spec.trafficPolicy.portLevelSettings[0].tls.credentialName', 'warning');
    expect(f.message).toMatch(/^could not check that service account default\/sleep of the selected workload \(Deployment\/sleep\) may list secrets in namespace "default": it is bound by RoleBinding client-credential-role-binding to Role client-credential-role, which is not in the input/);
  });
  test('credential-rbac: a RoleBinding of the namespace that binds another account is the input\'s RBAC: an error', () => {
    const r = mutated(objs => { find(objs, 'RoleBinding', 'client-credential-role-binding').subjects[0].name = 'other'; });
    expectFinding(r, 'wiring/credential-rbac', 'spec.trafficPolicy.portLevelSettings[0].tls.credentialName');
  });
  test('ServiceEntry targetPort -> Service port -> containerPort', () => {
    const r = mutated(objs => {
      find(objs, 'ServiceEntry', MUTUAL_DR).spec.ports[0].targetPort = 8443;
      find(objs, 'Deployment', 'my-nginx').spec.template.spec.containers[0].ports[0].containerPort = 8443;
    });
    expectFinding(r, 'wiring/port-chain', 'spec.ports[0].targetPort');
    // containerPorts are informational: a Service port that is no declared containerPort is a note, on a ServiceEntry host's Service
    const f = expectFinding(r, 'wiring/port-chain', 'spec.ports[0].port', 'note');
    expect(f.object.kind).toBe('Service');
    expect(f.message).toMatch(/^could not check that the pods listen on 443: Service port 443 forwards to 443, which the selected pods do not declare \(containerPorts 8443 of Deployment\/my-nginx\)/);
  });
  test('a Service whose targetPort is not a declared containerPort is no error (gRPC echo, OpenTelemetry, SPIRE)', () => {
    const objs: any[] = [
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'echo', namespace: 'default' }, spec: { selector: { app: 'echo' }, ports: [{ name: 'grpc', port: 80, targetPort: 18080 }] } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'echo', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'echo' } },
        template: { metadata: { labels: { app: 'echo' } }, spec: { containers: [{ name: 'echo', image: 'echo:1.0', ports: [{ containerPort: 17070 }] }] } } } },
    ];
    expect(validateManifests(objs).findings.filter(f => f.ruleId === 'wiring/port-chain')).toEqual([]);
    // a named targetPort that no container declares gets no endpoint port: still an error on every Service
    objs[0].spec.ports[0].targetPort = 'grpc-echo';
    expect(validateManifests(objs).errors.map(f => `${f.ruleId} ${f.field}`)).toEqual(['wiring/port-chain spec.ports[0].targetPort']);
  });
  test('a Service selecting a WorkloadEntry selects something; one in a namespace without workloads could not be checked', () => {
    const objs: any[] = [
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'mysqldb', namespace: 'vm' }, spec: { selector: { app: 'mysqldb' }, ports: [{ name: 'tcp', port: 3306 }] } },
      { apiVersion: 'networking.istio.io/v1', kind: 'WorkloadEntry', metadata: { name: 'mysqldb-vm', namespace: 'vm' }, spec: { address: '10.0.0.7', labels: { app: 'mysqldb' } } },
    ];
    expect(validateManifests(objs).findings.filter(f => f.ruleId === 'wiring/selector-matches-workload')).toEqual([]);
    objs[1].spec.labels = { app: 'other' };
    expect(validateManifests(objs).findings.filter(f => f.ruleId === 'wiring/selector-matches-workload').map(f => `${f.severity} ${f.message}`)).toEqual([expect.stringMatching(/^warning Service selector \{app=mysqldb\} selects no pod template or WorkloadEntry of the output in namespace "vm"/)]);
    objs.pop();
    const w = validateManifests(objs).findings.filter(f => f.ruleId === 'wiring/selector-matches-workload');
    expect(w.map(f => `${f.severity} ${f.message}`)).toEqual([expect.stringMatching(/^warning could not check that Service selector \{app=mysqldb\} selects pods: the output has no pod template or WorkloadEntry in namespace "vm"/)]);
  });
  test('nginx.conf paths must be under a volumeMount and exist in the mounted Secret', () => {
    const r = mutated(objs => {
      const cm = find(objs, 'ConfigMap', 'nginx-configmap');
      cm.data['nginx.conf'] = cm.data['nginx.conf'].replace('/etc/nginx-ca-certs/example.com.crt', '/etc/ssl/ca.crt');
      objs.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'nginx-server-certs', namespace: 'mesh-external' }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'AAAA' } });
    });
    const msgs = r.findings.filter(f => f.ruleId === 'wiring/nginx-paths' && f.field === 'data["nginx.conf"]').map(f => f.message);
    expect(msgs.length).toBe(2);
    expect(msgs.join('\n')).toMatch(/\/etc\/ssl\/ca\.crt is not under any volumeMount/);
    expect(msgs.join('\n')).toMatch(/has no key "tls\.key"/);
  });
  test('mounted key missing (items)', () => {
    const r = mutated(objs => { find(objs, 'Deployment', 'my-nginx').spec.template.spec.volumes[0].configMap.items = [{ key: 'nginx.cfg', path: 'nginx.conf' }]; });
    expectFinding(r, 'wiring/config-key', 'spec.template.spec.volumes[0].configMap.items[0].key');
  });
  test('security context vs image user', () => {
    const r = mutated(objs => {
      find(objs, 'Deployment', 'my-nginx').spec.template.spec.securityContext = { runAsNonRoot: true };
      find(objs, 'Deployment', 'my-nginx').spec.template.spec.containers[0].securityContext = { readOnlyRootFilesystem: true };
      find(objs, 'Deployment', 'sleep').spec.template.spec.containers[0].securityContext = { runAsNonRoot: true };
    });
    const nginx = r.findings.filter(f => f.ruleId === 'wiring/image-user' && f.object.name === 'my-nginx');
    expect(nginx.map(f => f.field).sort()).toEqual([
      'spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem',
      'spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem',
      'spec.template.spec.securityContext.runAsNonRoot',
    ]);
    expectFinding(r, 'wiring/image-user', 'spec.template.spec.containers[0].securityContext.runAsNonRoot');
  });
  test('curl with a numeric runAsUser and nginx with emptyDirs are fine', () => {
    const r = mutated(objs => {
      const sleep = find(objs, 'Deployment', 'sleep').spec.template.spec;
      sleep.securityContext = { runAsNonRoot: true, runAsUser: 100 };
      sleep.containers[0].image = 'curlimages/curl:8.10.1';
      const ng = find(objs, 'Deployment', 'my-nginx').spec.template.spec;
      ng.containers[0].securityContext = { readOnlyRootFilesystem: true };
      ng.containers[0].volumeMounts.push({ name: 'cache', mountPath: '/var/cache/nginx' }, { name: 'run', mountPath: '/var/run' });
      ng.volumes.push({ name: 'cache', emptyDir: {} }, { name: 'run', emptyDir: {} });
    });
    expect(r.errors).toEqual([]);
    expect(r.findings.filter(f => f.ruleId === 'wiring/image-tag').length).toBe(1);
  });
  test('namespace not in the output is a note: it could not be checked', () => {
    const r = mutated(objs => objs.splice(objs.indexOf(find(objs, 'Namespace', 'mesh-external')), 1));
    expect(expectFinding(r, 'wiring/namespace-exists', 'metadata.namespace', 'note').message).toMatch(/^could not check that namespace "mesh-external" exists: the output does not create it/);
  });
});
