import { Testing } from 'cdk8s';
import {
  EgressTlsOrigination, MeshExternalNginx, MeshWorkload, MutualTlsOrigination, SleepClient, TlsCredential,
} from '../../src';
import { REMOTE_CLIENT_ANNOTATION, validateManifests } from '../../src/validator';
import { chart } from '../support/util';

const ELSEWHERE = /^the client is deployed elsewhere: could not check /;

/** The rule ids and messages of the findings of `severity`. */
function findings(objects: any[], severity: 'error' | 'warning' | 'note'): Array<[string, string, string]> {
  return validateManifests(objects).findings.filter((f) => f.severity === severity).map((f) => [f.ruleId, `${f.object.kind}/${f.object.name}`, f.message]);
}

describe('a client deployed elsewhere (MeshWorkload.fromAttributes)', () => {
  test('MutualTlsOrigination: the validator passes, with notes (not warnings) of what it could not check', () => {
    // GIVEN a chart whose client runs in another repository's app
    const c = chart({ namespace: 'shop' });
    const nginx = new MeshExternalNginx(c, 'nginx');
    // WHEN
    new MutualTlsOrigination(c, 'mtls', {
      host: nginx.host,
      httpsPort: nginx.port,
      client: MeshWorkload.fromAttributes({ serviceAccountName: 'checkout', podLabels: { app: 'checkout' } }),
      credential: TlsCredential.fromExistingSecret('client-credential'),
    });
    const objects = Testing.synth(c);
    // THEN no error, without any annotation added by the user
    expect(findings(objects, 'error')).toEqual([]);
    expect(findings(objects, 'warning')).toEqual([]);
    const warnings = findings(objects, 'note').filter(([, , m]) => ELSEWHERE.test(m));
    expect(warnings.map(([rule, obj]) => [rule, obj])).toEqual([
      ['wiring/selector-matches-workload', 'DestinationRule/my-nginx-mesh-external-svc-cluster-local'],
      ['wiring/sidecar-injection', 'DestinationRule/my-nginx-mesh-external-svc-cluster-local'],
      ['wiring/rolebinding-subject', 'RoleBinding/client-credential-role-binding'],
      ['wiring/serviceaccount-used', 'RoleBinding/client-credential-role-binding'],
    ]);
    expect(warnings.map(([, , m]) => m)).toEqual([
      'the client is deployed elsewhere: could not check that workloadSelector {app=checkout} selects its pods in namespace "shop"',
      'the client is deployed elsewhere: could not check that its pods {app=checkout} get a sidecar: without one nothing originates TLS and requests leave in plaintext',
      'the client is deployed elsewhere: could not check that its ServiceAccount shop/checkout exists',
      'the client is deployed elsewhere: could not check that its pods run as ServiceAccount shop/checkout, which RoleBinding client-credential-role-binding binds',
    ]);
    // the signal is the documented annotation on the objects emitted for the client
    const annotated = objects.filter((o) => o.metadata.annotations?.[REMOTE_CLIENT_ANNOTATION] === 'true').map((o) => o.kind);
    expect(annotated).toEqual(['DestinationRule', 'RoleBinding']);
  });

  test('EgressTlsOrigination with a caCredential: the validator passes', () => {
    // GIVEN
    const c = chart({ namespace: 'billing' });
    // WHEN
    new EgressTlsOrigination(c, 'api', {
      host: 'api.example.com',
      caCredential: TlsCredential.fromExistingSecret('api-ca'),
      client: MeshWorkload.fromAttributes({ serviceAccountName: 'billing', podLabels: { app: 'billing' } }),
    });
    // THEN
    const objects = Testing.synth(c);
    expect(findings(objects, 'error')).toEqual([]);
    expect(findings(objects, 'warning')).toEqual([]);
    expect(findings(objects, 'note').filter(([, , m]) => ELSEWHERE.test(m)).map(([rule]) => rule))
      .toEqual(['wiring/selector-matches-workload', 'wiring/sidecar-injection']);
  });

  test('a client of this app is still checked: a mistyped selector is an error', () => {
    // GIVEN a SleepClient of the same chart, and a hand-written client whose labels are mistyped
    const c = chart();
    const sleep = new SleepClient(c, 'sleep');
    // WHEN
    new MutualTlsOrigination(c, 'mtls', {
      host: 'partner.example.com',
      client: { serviceAccountName: sleep.serviceAccountName, podLabels: { app: 'slep' } },
      credential: TlsCredential.fromExistingSecret('client-credential'),
    });
    // THEN
    const objects = Testing.synth(c);
    expect(objects.some((o) => o.metadata.annotations?.[REMOTE_CLIENT_ANNOTATION])).toBe(false);
    expect(findings(objects, 'error').map(([rule]) => rule)).toEqual(['wiring/selector-matches-workload']);
  });

  test('a SleepClient is not marked as deployed elsewhere, and the main chart has no warning or note about it', () => {
    const c = chart();
    const sleep = new SleepClient(c, 'sleep');
    new MutualTlsOrigination(c, 'mtls', { host: 'partner.example.com', client: sleep, credential: TlsCredential.fromExistingSecret('client-credential') });
    const objects = Testing.synth(c);
    expect(findings(objects, 'error')).toEqual([]);
    expect([...findings(objects, 'warning'), ...findings(objects, 'note')].filter(([, , m]) => ELSEWHERE.test(m))).toEqual([]);
  });
});
