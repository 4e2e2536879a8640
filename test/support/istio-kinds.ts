// Objects and finding helpers for the webhook rules of the Istio kinds checked object by object (Telemetry,
// WasmPlugin, TrafficExtension, EnvoyFilter, WorkloadEntry, WorkloadGroup, ProxyConfig): test/validator/rules/istio/<kind>.test.ts.
import { formatFindings, validateManifests, type Finding } from '../../src/validator';
import { makeObj, Reporter, type Obj } from '../../src/validator/context';
import type { IstioRelease } from '../../src/validator/rules/rule';

export const API: Record<string, string> = {
  Telemetry: 'telemetry.istio.io/v1',
  WasmPlugin: 'extensions.istio.io/v1alpha1',
  EnvoyFilter: 'networking.istio.io/v1alpha3',
  WorkloadEntry: 'networking.istio.io/v1',
  WorkloadGroup: 'networking.istio.io/v1',
  ProxyConfig: 'networking.istio.io/v1beta1',
  TrafficExtension: 'extensions.istio.io/v1alpha1',
};
export function object(kind: string, spec: any, metadata: any = {}): any {
  return { apiVersion: API[kind], kind, metadata: { name: 'x', namespace: 'default', ...metadata }, spec };
}
/** The istio/ findings of one object. */
export function istioFindings(obj: any): Finding[] {
  return validateManifests([obj]).findings.filter(f => f.ruleId.startsWith('istio/'));
}
export function expectFinding(obj: any, ruleId: string, message: string, severity: 'error' | 'warning' = 'error'): Finding {
  const fs = istioFindings(obj);
  const f = fs.find(x => x.ruleId === ruleId && x.message.includes(message));
  if (!f) throw new Error(`expected ${ruleId} ${message}; got:\n${formatFindings(fs)}`);
  expect(f.severity).toBe(severity);
  return f;
}
/** No finding of schema/, cel/ or istio/ rules, except those listed by id. */
export function expectClean(obj: any, except: string[] = []) {
  const all = validateManifests([obj]).findings.filter(f => /^(schema|cel|istio)\//.test(f.ruleId) && !except.includes(f.ruleId));
  expect(all.map(f => `${f.ruleId} ${f.field}: ${f.message}`)).toEqual([]);
}
/** Runs one check with a Reporter of `release` (a release the validator may not list yet). */
export function checkIn(release: string, check: (o: Obj, rep: Reporter) => void, obj: any): Finding[] {
  const rep = new Reporter({}, release as IstioRelease);
  check(makeObj(obj, 0, {}), rep);
  return rep.findings;
}
