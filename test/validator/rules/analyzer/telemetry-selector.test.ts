// Istio's telemetry.SelectorAnalyzer (src/validator/rules/analyzer/telemetry-selector.ts): Telemetries that select the
// same pod (IST0159, error) and selectors that select no pod template of the output (IST0101, a note here).
import { validateManifests, type Finding } from '../../../../src/validator';

const CONFLICT = 'analyzer/telemetry-selector-conflict';
const SELECTOR = 'analyzer/telemetry-selector';

const telemetry = (name: string, namespace: string, matchLabels?: { [k: string]: string }) => ({
  apiVersion: 'telemetry.istio.io/v1',
  kind: 'Telemetry',
  metadata: { name, namespace },
  spec: { ...(matchLabels ? { selector: { matchLabels } } : {}), metrics: [{ providers: [{ name: 'prometheus' }] }] },
});
const pod = (name: string, namespace: string, labels: { [k: string]: string }) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
});
const of = (objs: unknown[], ...ids: string[]): Finding[] => validateManifests(objs).findings.filter(f => ids.includes(f.ruleId));

describe('analyzer/telemetry-selector-conflict (IST0159)', () => {
  test('fails: two Telemetries select the ratings pod; each is reported once, as an error', () => {
    const fs = of([
      pod('ratings', 'default', { app: 'ratings-app', myapp: 'ratings-myapp' }),
      telemetry('overlap-1', 'default', { app: 'ratings-app' }),
      telemetry('overlap-2', 'default', { myapp: 'ratings-myapp' }),
    ], CONFLICT, SELECTOR);
    expect(fs.map(f => [f.severity, f.object.name, f.field])).toEqual([['error', 'overlap-1', 'spec.selector.matchLabels'], ['error', 'overlap-2', 'spec.selector.matchLabels']]);
    expect(fs[0].message).toBe('IST0159 The Telemetries [overlap-1 overlap-2] in namespace "default" select the same workload pod "ratings", which can lead to undefined behavior.');
  });

  test('passes: the selectors select different pods; a Telemetry without selector is not compared', () => {
    expect(of([
      pod('a', 'default', { app: 'a' }), pod('b', 'default', { app: 'b' }),
      telemetry('ta', 'default', { app: 'a' }), telemetry('tb', 'default', { app: 'b' }), telemetry('all', 'default'),
    ], CONFLICT, SELECTOR)).toEqual([]);
  });
});

describe('analyzer/telemetry-selector (IST0101, could not check)', () => {
  test('fails (note): the selector selects no pod template of the namespace (a pod of another namespace does not count)', () => {
    const fs = of([pod('reviews', 'default', { app: 'reviews' }), telemetry('maps-to-different-ns', 'other', { app: 'reviews' })], SELECTOR);
    expect(fs.map(f => [f.severity, f.object.namespace, f.object.name])).toEqual([['note', 'other', 'maps-to-different-ns']]);
    expect(fs[0].message).toBe('IST0101 Referenced selector not found: "app=reviews": could not check it, no pod template of the output in namespace "other" carries these labels, so the workload must be deployed out of band (or the Telemetry applies to nothing)');
  });

  test('passes: a Deployment\'s pod template carries the labels', () => {
    const deployment = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'reviews', namespace: 'other' },
      spec: { selector: { matchLabels: { app: 'reviews' } }, template: { metadata: { labels: { app: 'reviews' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } } },
    };
    expect(of([deployment, telemetry('t', 'other', { app: 'reviews' })], SELECTOR, CONFLICT)).toEqual([]);
  });
});
