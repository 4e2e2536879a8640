/**
 * ProxyConfig (networking.istio.io/v1beta1) as Istio 1.30.3 validates it: ValidateProxyConfig
 * (validateWorkloadSelector, validateConcurrency). Istio 1.31 validates it the same.
 */
import type { Obj, Reporter } from '../../context';
import { IstioReport, checkIstioMetadata, isMessage } from './common';
import { checkPolicySelector } from './policy-target';
import { defineRule } from '../rule';

export const PROXY_CONFIG = defineRule({
  id: 'istio/proxy-config',
  family: 'istio',
  severity: 'error',
  description: 'A ProxyConfig has a negative concurrency.',
  source: 'Istio validation.go ValidateProxyConfig, validateConcurrency',
  details: 'ValidateProxyConfig: concurrency must be >= 0 (0 means one worker per core); the selector is istio/policy-selector.',
});

/** ValidateProxyConfig */
export function checkProxyConfig(o: Obj, rep: Reporter): void {
  const r = new IstioReport(rep, o);
  checkIstioMetadata(o, r);
  const spec = o.raw?.spec;
  if (!isMessage(spec)) return;
  checkPolicySelector(spec, 'selector', r);
  if (typeof spec.concurrency === 'number' && spec.concurrency < 0) {
    r.error(PROXY_CONFIG, 'spec.concurrency', 'concurrency must be greater than or equal to 0', 'Use 0 (one worker per CPU core) or a positive number of worker threads.');
  }
}
