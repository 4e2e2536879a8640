// Gateway and VirtualService objects and finding helpers, shared by test/validator/rules/istio/gateway.test.ts and
// virtual-service.test.ts.
import { formatFindings, validateManifests, type Finding } from '../../src/validator';
/** Istio's webhook rules for Gateway and VirtualService (istio/gw-*, istio/vs-*): a failing and a passing input per family. */

export const ok = { hosts: ['foo.example.com'], port: { number: 443, name: 'https', protocol: 'HTTPS' }, tls: { mode: 'SIMPLE', credentialName: 'foo-cert' } };
export function gateway(spec: any, name = 'egress-gateway'): any {
  return { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name, namespace: 'istio-system' }, spec };
}
export function vs(spec: any, metadata: any = {}): any {
  return { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'vs', namespace: 'default', ...metadata }, spec };
}
/** A VirtualService with hosts [api.example.com] and one HTTP route to api.example.com, changed by `route`. */
export function vsRoute(route: any): any {
  return vs({ hosts: ['api.example.com'], http: [{ route: [{ destination: { host: 'api.example.com' } }], ...route }] });
}
/** Findings of the Gateway / VirtualService rules only. */
export function istio(obj: any): Finding[] {
  return validateManifests([obj]).findings.filter(f => /^istio\/(gw-|vs-|export-to)/.test(f.ruleId));
}
export function expectFinding(obj: any, ruleId: string, message: string | RegExp, severity: 'error' | 'warning' = 'error'): Finding {
  const fs = istio(obj);
  const f = fs.find(x => x.ruleId === ruleId && (typeof message === 'string' ? x.message.includes(message) : message.test(x.message)));
  if (!f) throw new Error(`expected ${ruleId} ${message}; got:\n${formatFindings(fs)}`);
  expect(f.severity).toBe(severity);
  return f;
}
export function expectClean(obj: any) {
  const all = validateManifests([obj]).findings.filter(f => !/^(wiring|analyzer)\//.test(f.ruleId));
  expect(all.map(f => `${f.ruleId} ${f.field}: ${f.message}`)).toEqual([]);
}
