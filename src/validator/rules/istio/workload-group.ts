/**
 * WorkloadGroup as Istio 1.30.3 validates it: ValidateWorkloadGroup (template required, metadata labels,
 * validateReadinessProbe with ValidateProbeHeaderName). Istio 1.31 validates it the same.
 */
import type { Obj, Reporter } from '../../context';
import { IstioReport, checkIstioMetadata, isMessage, labelErrors, portError } from './common';
import { defineRule } from '../rule';

export const WORKLOAD_GROUP = defineRule({
  id: 'istio/workload-group',
  family: 'istio',
  severity: 'error',
  description: 'A WorkloadGroup has no template, invalid metadata labels or an invalid readiness probe.',
  source: 'Istio validation.go ValidateWorkloadGroup, validateReadinessProbe',
  details: 'ValidateWorkloadGroup: template required (its address is filled in by the auto-registered workloads, so it is not validated as a WorkloadEntry); metadata.labels valid Kubernetes labels; probe (validateReadinessProbe): non-negative periods, timeouts and thresholds, exactly one of httpGet (port 1..65535, scheme HTTP or HTTPS, header names of [-A-Za-z0-9]), tcpSocket (port 1..65535) or exec (a command).',
});

/** validateReadinessProbe */
function checkProbe(probe: unknown, r: IstioReport) {
  if (probe === undefined || probe === null || !isMessage(probe)) return;
  const f = 'spec.probe';
  for (const k of ['periodSeconds', 'initialDelaySeconds', 'timeoutSeconds', 'successThreshold', 'failureThreshold']) {
    if (typeof probe[k] === 'number' && probe[k] < 0) r.error(WORKLOAD_GROUP, `${f}.${k}`, `${k} must be non-negative`, 'Use 0 or a positive number.');
  }
  const fix = 'Give the probe one of httpGet (with a port), tcpSocket (with a port) or exec (with a command).';
  if ('httpGet' in probe) {
    const h = probe.httpGet;
    if (!isMessage(h)) return r.error(WORKLOAD_GROUP, `${f}.httpGet`, 'httpGet may not be nil', fix);
    r.error(WORKLOAD_GROUP, `${f}.httpGet.port`, portError(h.port), fix);
    if (typeof h.scheme === 'string' && h.scheme !== '' && h.scheme !== 'HTTPS' && h.scheme !== 'HTTP') {
      r.error(WORKLOAD_GROUP, `${f}.httpGet.scheme`, 'httpGet.scheme must be one of "HTTPS", "HTTP"', 'Use HTTP or HTTPS (upper case).');
    }
    if (Array.isArray(h.httpHeaders)) {
      h.httpHeaders.forEach((hd: unknown, i: number) => {
        const hf = `${f}.httpGet.httpHeaders[${i}]`;
        if (!isMessage(hd)) return r.error(WORKLOAD_GROUP, hf, 'invalid nil header', 'Remove the empty header.');
        const name = typeof hd.name === 'string' ? hd.name : '';
        if (name === '') r.error(WORKLOAD_GROUP, `${hf}.name`, 'header name cannot be empty', 'Name the header.');
        else if (!/^[-A-Za-z0-9]+$/.test(name)) r.error(WORKLOAD_GROUP, `${hf}.name`, `header name ${name} is not a valid header name`, 'Use letters, digits and "-" in probe header names.');
      });
    }
  } else if ('tcpSocket' in probe) {
    const h = probe.tcpSocket;
    if (!isMessage(h)) return r.error(WORKLOAD_GROUP, `${f}.tcpSocket`, 'tcpSocket may not be nil', fix);
    r.error(WORKLOAD_GROUP, `${f}.tcpSocket.port`, portError(h.port), fix);
  } else if ('exec' in probe) {
    const h = probe.exec;
    if (!isMessage(h)) return r.error(WORKLOAD_GROUP, `${f}.exec`, 'exec may not be nil', fix);
    if (!Array.isArray(h.command) || h.command.length === 0) r.error(WORKLOAD_GROUP, `${f}.exec.command`, 'exec.command is required', fix);
  } else {
    r.error(WORKLOAD_GROUP, f, 'unknown health check method <nil>', fix);
  }
}

/** ValidateWorkloadGroup */
export function checkWorkloadGroup(o: Obj, rep: Reporter): void {
  const r = new IstioReport(rep, o);
  checkIstioMetadata(o, r);
  const spec = isMessage(o.raw?.spec) ? o.raw.spec : {};
  if (spec.template === undefined || spec.template === null) {
    r.error(WORKLOAD_GROUP, 'spec.template', 'template is required', 'Give a template (labels, ports, serviceAccount) for the workloads that join the group.');
    return;
  }
  const labels = labelErrors(isMessage(spec.metadata) ? spec.metadata.labels : undefined);
  if (labels.length) {
    r.error(WORKLOAD_GROUP, 'spec.metadata.labels', `invalid labels: ${labels.join('; ')}`, 'Use Kubernetes label keys and values.');
    return;
  }
  checkProbe(spec.probe, r);
}
