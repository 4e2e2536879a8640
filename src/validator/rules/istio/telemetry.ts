/**
 * Telemetry (telemetry.istio.io) as Istio 1.30.3 validates it: ValidateTelemetry (validateOneOfSelectorType,
 * validateWorkloadSelector, validatePolicyTargetReference(s), validateTelemetryMetrics, validateTelemetryTracing,
 * validateTelemetryAccessLogging, validateTelemetryFilter). Istio 1.31 validates it the same.
 */
import { celLib } from '../../cel-ast';
import type { Obj, Reporter } from '../../context';
import { IstioReport, checkIstioMetadata, isMessage } from './common';
import { checkPolicySelector, checkPolicyTargets } from './policy-target';
import { defineRule } from '../rule';

export const TELEMETRY = defineRule({
  id: 'istio/telemetry',
  family: 'istio',
  severity: 'error',
  description: 'A Telemetry has an empty provider name, a sampling percentage outside 0..100, an invalid custom tag, tag override or access-log filter.',
  source: 'Istio validation.go ValidateTelemetry, validateTelemetryMetrics, validateTelemetryTracing, validateTelemetryAccessLogging, validateTelemetryFilter',
  details: 'ValidateTelemetry: providers need a name; tracing randomSamplingPercentage in [0, 100]; custom tags need a name and a non-null value (a non-empty literal value, header name or environment name); metrics overrides not null, tagOverrides not null, a value with UPSERT and none with REMOVE, a non-empty customMetric; access-log filter expressions must parse as CEL. Warnings, as in Istio: more than one tracing, more than one tracing provider, an empty tagOverrides name. The selector and targetRef(s) are istio/policy-selector and istio/policy-target-ref.',
});

const PROVIDER_FIX = 'Name each provider as the mesh config defines it (meshConfig.extensionProviders, or a default provider).';

function checkProviders(providers: unknown, field: string, r: IstioReport) {
  if (!Array.isArray(providers)) return;
  // validateTelemetryProviders returns at the first bad entry
  const i = providers.findIndex((p) => !isMessage(p) || typeof p.name !== 'string' || p.name === '');
  if (i >= 0) r.error(TELEMETRY, `${field}.providers[${i}]`, 'providers.name may not be empty', PROVIDER_FIX);
}

function checkTracing(tracing: unknown, r: IstioReport) {
  if (!Array.isArray(tracing)) return;
  if (tracing.length > 1) r.warn(TELEMETRY, 'spec.tracing', 'multiple tracing is not currently supported', 'Keep one tracing entry.');
  tracing.forEach((t: unknown, i: number) => {
    if (!isMessage(t)) return;
    const f = `spec.tracing[${i}]`;
    if (Array.isArray(t.providers) && t.providers.length > 1) r.warn(TELEMETRY, `${f}.providers`, 'multiple providers is not currently supported', 'Keep one tracing provider.');
    checkProviders(t.providers, f, r);
    const pct = t.randomSamplingPercentage;
    if (typeof pct === 'number' && (pct < 0 || pct > 100)) {
      r.error(TELEMETRY, `${f}.randomSamplingPercentage`, 'randomSamplingPercentage must be in range [0.0, 100.0]', 'Give a percentage from 0 to 100 (e.g. 1.5 for 1.5 %).');
    }
    if (!isMessage(t.customTags)) return;
    for (const [name, tag] of Object.entries(t.customTags)) {
      const tf = `${f}.customTags[${JSON.stringify(name)}]`;
      if (name === '') r.error(TELEMETRY, tf, 'tag name may not be empty', 'Name the tag.');
      if (tag === null || tag === undefined) {
        r.error(TELEMETRY, tf, `tag '${name}' may not have a nil value`, 'Give the tag a literal, header or environment value.');
        continue;
      }
      if (!isMessage(tag)) continue;
      if (isMessage(tag.literal) && !tag.literal.value) r.error(TELEMETRY, `${tf}.literal.value`, 'literal tag value may not be empty', 'Give the literal a value.');
      else if (isMessage(tag.header) && !tag.header.name) r.error(TELEMETRY, `${tf}.header.name`, 'header tag name may not be empty', 'Name the request header.');
      else if (isMessage(tag.environment) && !tag.environment.name) r.error(TELEMETRY, `${tf}.environment.name`, 'environment tag name may not be empty', 'Name the environment variable.');
    }
  });
}

function checkMetrics(metrics: unknown, r: IstioReport) {
  if (!Array.isArray(metrics)) return;
  metrics.forEach((m: unknown, i: number) => {
    if (!isMessage(m)) return;
    const f = `spec.metrics[${i}]`;
    checkProviders(m.providers, f, r);
    if (!Array.isArray(m.overrides)) return;
    m.overrides.forEach((o: unknown, j: number) => {
      const of = `${f}.overrides[${j}]`;
      if (o === null || o === undefined) {
        r.error(TELEMETRY, of, 'tagOverrides may not be null', 'Remove the empty override or give it a match and tagOverrides.');
        return;
      }
      if (!isMessage(o)) return;
      if (isMessage(o.tagOverrides)) {
        for (const [tag, to] of Object.entries(o.tagOverrides)) {
          const tf = `${of}.tagOverrides[${JSON.stringify(tag)}]`;
          if (tag === '') r.warn(TELEMETRY, tf, 'tagOverrides.name may not be empty', 'Name the tag to override.');
          if (to === null || to === undefined) {
            r.error(TELEMETRY, tf, 'tagOverrides may not be null', 'Give the override an operation (UPSERT with a value, or REMOVE).');
            continue;
          }
          if (!isMessage(to)) continue;
          const op = to.operation ?? 'UPSERT';
          const value = typeof to.value === 'string' ? to.value : '';
          if (op === 'UPSERT' && value === '') r.error(TELEMETRY, `${tf}.value`, 'tagOverrides.value must be set when operation is UPSERT', 'Give a CEL expression as value, or use operation REMOVE.');
          if (op === 'REMOVE' && value !== '') r.error(TELEMETRY, `${tf}.value`, 'tagOverrides.value may only be set when operation is UPSERT', 'Remove the value, or use operation UPSERT.');
        }
      }
      if (isMessage(o.match) && o.match.customMetric === '') r.error(TELEMETRY, `${of}.match.customMetric`, 'customMetric may not be empty', 'Name the custom metric, or match a standard metric.');
    });
  });
}

function checkAccessLogging(logging: unknown, r: IstioReport) {
  if (!Array.isArray(logging)) return;
  logging.forEach((l: unknown, i: number) => {
    if (!isMessage(l)) return;
    const f = `spec.accessLogging[${i}]`;
    if (isMessage(l.filter) && typeof l.filter.expression === 'string') {
      try {
        celLib().parse(l.filter.expression); // loads @bufbuild/cel only when a Telemetry has an access-log filter
      } catch (e) {
        r.error(TELEMETRY, `${f}.filter.expression`, `must be a valid CEL expression, ${(e as Error).message}`, 'Write the filter as a CEL expression over Envoy attributes, e.g. response.code >= 400.');
      }
    }
    checkProviders(l.providers, f, r);
  });
}

/** ValidateTelemetry */
export function checkTelemetry(o: Obj, rep: Reporter): void {
  const r = new IstioReport(rep, o);
  checkIstioMetadata(o, r);
  const spec = o.raw?.spec;
  if (!isMessage(spec)) return;
  checkPolicyTargets(spec, r);
  checkPolicySelector(spec, 'selector', r);
  checkMetrics(spec.metrics, r);
  checkTracing(spec.tracing, r);
  checkAccessLogging(spec.accessLogging, r);
}
