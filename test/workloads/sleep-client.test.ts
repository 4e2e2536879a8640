import { Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { SleepClient } from '../../src';
import { chart, one } from '../support/util';

describe('SleepClient', () => {
  test('defaults are the Istio sleep sample, hardened', () => {
    // GIVEN
    const c = chart();
    // WHEN
    const sleep = new SleepClient(c, 'sleep');
    // THEN
    expect([sleep.serviceAccountName, sleep.podLabels, sleep.namespace]).toEqual(['sleep', { app: 'sleep' }, undefined]);
    expect(one(c, 'ServiceAccount').metadata).toEqual({ name: 'sleep' });
    expect(one(c, 'Service').metadata.labels).toEqual({ app: 'sleep', service: 'sleep' });
    expect(one(c, 'Service').spec).toEqual({ ports: [{ port: 80, name: 'http' }], selector: { app: 'sleep' } });
    const d = one(c, 'Deployment');
    expect(d.spec.selector).toEqual({ matchLabels: { app: 'sleep' } });
    // injected even in a namespace that is not labelled for injection; the selector stays the pod labels
    expect(d.spec.template.metadata.labels).toEqual({ 'app': 'sleep', 'sidecar.istio.io/inject': 'true' });
    const pod = d.spec.template.spec;
    expect(pod.serviceAccountName).toBe('sleep');
    expect(pod.terminationGracePeriodSeconds).toBe(0);
    const container = pod.containers[0];
    expect(container.image).toBe('curlimages/curl:8.11.1');
    expect(container.command).toEqual(['/bin/sleep', 'infinity']);
    // curlimages/curl runs as the non-numeric user curl_user: runAsNonRoot needs a numeric uid to be verifiable
    expect(container.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 100, readOnlyRootFilesystem: true });
    expect(Testing.synth(c)).toMatchSnapshot();
  });

  test('namespace and labels', () => {
    const c = chart({ namespace: 'team-a' });
    const resources = { requests: { cpu: k8s.Quantity.fromString('10m'), memory: k8s.Quantity.fromString('16Mi') } };
    const sleep = new SleepClient(c, 'client', { name: 'curl', namespace: 'apps', podLabels: { app: 'curl', tier: 'debug' }, image: 'curlimages/curl:8.10.1', runAsUser: 1000, resources });
    expect([sleep.namespace, sleep.serviceAccountName, sleep.podLabels]).toEqual(['apps', 'curl', { app: 'curl', tier: 'debug' }]);
    expect(Testing.synth(c).map((o) => o.metadata.namespace)).toEqual(['apps', 'apps', 'apps']);
    expect(one(c, 'Deployment').spec.template.spec.containers[0].securityContext.runAsUser).toBe(1000);
    expect(one(c, 'Deployment').spec.template.spec.containers[0].resources).toEqual({ requests: { cpu: '10m', memory: '16Mi' } });
  });

  test('injectSidecar: false leaves injection to the namespace', () => {
    const c = chart();
    new SleepClient(c, 'sleep', { injectSidecar: false });
    expect(one(c, 'Deployment').spec.template.metadata.labels).toEqual({ app: 'sleep' });
  });

  test('takes the chart namespace', () => {
    const c = chart({ namespace: 'team-a' });
    expect(new SleepClient(c, 'sleep').namespace).toBe('team-a');
  });

  test.each([
    ['an unpinned image', { image: 'curlimages/curl' }, /'image' must pin a tag/],
    ['uid 0', { runAsUser: 0 }, /'runAsUser' must be a positive integer.*\(got 0\)/],
    ['empty pod labels', { podLabels: {} }, /'podLabels' must contain at least one label/],
    ['an invalid name', { name: 'Sleep' }, /'name' must be a Service name/],
  ])('fails when given %s', (_what, props, message) => {
    expect(() => new SleepClient(chart(), 'x', props as any)).toThrow(message);
  });
});
