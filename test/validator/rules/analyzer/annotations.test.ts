// IST0107 / IST0108 / IST0125 / IST0135 (src/validator/rules/analyzer/annotations.ts, Istio's annotations.K8sAnalyzer).
import { validateManifests, type Finding } from '../../../../src/validator';
import { ANNOTATION_VALIDATION } from '../../../../src/validator/rules/analyzer/annotations';

const IDS = ['analyzer/misplaced-annotation', 'analyzer/unknown-annotation', 'analyzer/invalid-annotation', 'analyzer/deprecated-annotation'];
const pod = (name: string, annotations: object, labels: object = {}) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'apps', annotations, labels }, spec: { containers: [{ name: 'app', image: 'app:1' }] },
});
const found = (objs: unknown[], istio?: string): Finding[] => validateManifests(objs, istio ? { istio } : {}).findings.filter(f => IDS.includes(f.ruleId));
const show = (fs: Finding[]) => fs.map(f => `${f.severity} ${f.ruleId} ${f.object.kind} ${f.object.name} ${f.field}: ${f.message}`);

describe('the annotations analyzer (IST0107, IST0108, IST0125, IST0135)', () => {
  test('fails: unknown, misplaced, invalid and deprecated annotations, each with Istio\'s message and level', () => {
    const fs = found([
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'apps', annotations: { 'networking.istio.io/exportThree': 'x' } }, spec: { ports: [{ name: 'http', port: 80 }] } },
      pod('bad', { 'readiness.status.sidecar.istio.io/periodSeconds': 'ten', 'kubernetes.io/ingress.class': 'istio', 'sidecar.istio.io/inject': 'true' }),
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'dep', namespace: 'apps', annotations: { 'sidecar.istio.io/proxyCPU': '100m' } }, spec: { selector: { matchLabels: { app: 'bad' } }, template: { metadata: { labels: { app: 'bad' } }, spec: { containers: [{ name: 'app', image: 'app:1' }] } } } },
    ]);
    expect(show(fs)).toEqual([
      'warning analyzer/unknown-annotation Service web metadata.annotations["networking.istio.io/exportThree"]: IST0108 Unknown annotation: networking.istio.io/exportThree',
      'warning analyzer/invalid-annotation Pod bad metadata.annotations["readiness.status.sidecar.istio.io/periodSeconds"]: IST0125 Invalid annotation readiness.status.sidecar.istio.io/periodSeconds: strconv.ParseUint: parsing "ten": invalid syntax',
      'warning analyzer/misplaced-annotation Pod bad metadata.annotations["kubernetes.io/ingress.class"]: IST0107 Misplaced annotation: kubernetes.io/ingress.class can only be applied to Ingress',
      'note analyzer/deprecated-annotation Pod bad metadata.annotations["sidecar.istio.io/inject"]: IST0135 Annotation "sidecar.istio.io/inject" has been deprecated in favor of the "sidecar.istio.io/inject" label and may not work in future Istio versions.',
      'warning analyzer/misplaced-annotation Deployment dep metadata.annotations["sidecar.istio.io/proxyCPU"]: IST0107 Misplaced annotation: sidecar.istio.io/proxyCPU can only be applied to Pod',
    ]);
    expect(fs[4].fix).toBe("Move sidecar.istio.io/proxyCPU to spec.template.metadata.annotations, where it applies to the Deployment's pods.");
  });

  test('passes: valid values, annotations Istio sets itself, non-Istio annotations, the inject annotation beside the label, objects of kube-system', () => {
    expect(found([
      pod('ok', {
        'sidecar.istio.io/interceptionMode': 'TPROXY', 'traffic.sidecar.istio.io/excludeOutboundIPRanges': '10.0.0.0/8,fd00::/8',
        'traffic.sidecar.istio.io/includeInboundPorts': '*', 'proxy.istio.io/config': 'holdApplicationUntilProxyStarts: true',
        'sidecar.istio.io/proxyMemory': '128Mi', 'prometheus.istio.io/merge-metrics': 'False', 'sidecar.istio.io/status': '{}',
        'istio.io/rev': 'canary', 'helm.sh/hook': 'test', 'sidecar.istio.io/inject': 'true',
      }, { 'sidecar.istio.io/inject': 'true' }),
      { ...pod('system', { 'istio.io/unknown': 'x' }), metadata: { name: 'system', namespace: 'kube-system', annotations: { 'istio.io/unknown': 'x' } } },
    ])).toEqual([]);
  });

  test('per release: istio.io/use-waypoint-canary-weight is unknown to Istio 1.30, known to 1.31', () => {
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps', annotations: { 'istio.io/use-waypoint-canary-weight': '10' } } };
    expect(show(found([ns], '1.30'))).toEqual(['warning analyzer/unknown-annotation Namespace apps metadata.annotations["istio.io/use-waypoint-canary-weight"]: IST0108 Unknown annotation: istio.io/use-waypoint-canary-weight']);
    expect(found([ns], '1.31')).toEqual([]);
  });

  test('the value checks give Go\'s error texts (inject/validate.go)', () => {
    const v = (name: string, value: string) => ANNOTATION_VALIDATION[name](value);
    expect(v('sidecar.istio.io/interceptionMode', 'redirect')).toBe('interceptionMode invalid, use REDIRECT,TPROXY,NONE: redirect');
    expect(v('traffic.sidecar.istio.io/excludeInboundPorts', '15020,x')).toBe("excludeInboundPorts invalid: failed parsing port 'x': failed parsing port 'x': strconv.ParseUint: parsing \"x\": invalid syntax");
    expect(v('traffic.sidecar.istio.io/excludeOutboundPorts', '70000')).toBe("excludeOutboundPorts invalid: failed parsing port '70000': failed parsing port '70000': strconv.ParseUint: parsing \"70000\": value out of range");
    expect(v('traffic.sidecar.istio.io/includeOutboundIPRanges', '10.0.0.1')).toBe("includeIPRanges invalid: failed parsing cidr '10.0.0.1': netip.ParsePrefix(\"10.0.0.1\"): no '/'");
    expect(v('traffic.sidecar.istio.io/excludeInterfaces', 'eth0,1bad')).toBe('interface name "1bad" contains invalid characters');
    expect(v('sidecar.istio.io/proxyCPU', '1 core')).toBe("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
    expect(v('prometheus.istio.io/merge-metrics', 'yes')).toBe('strconv.ParseBool: parsing "yes": invalid syntax');
    expect(v('readiness.status.sidecar.istio.io/failureThreshold', '4294967296')).toBe('strconv.ParseUint: parsing "4294967296": value out of range');
  });
});
