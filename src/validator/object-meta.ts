/**
 * The API server's checks of labels, annotations and Secret/ConfigMap keys (apimachinery's ValidateObjectMeta,
 * ValidateLabels, ValidateAnnotations; ValidateSecret and ValidateConfigMap), which no schema states: invalid
 * ones are errors, as `kubectl apply` would be refused.
 */
import type { Obj, Reporter } from './context';
import { annotationsSize, ANNOTATIONS_SIZE_LIMIT, configMapKeyError, isLabelValue, isQualifiedName } from '../common/kubernetes-names';

/** Kinds whose `spec.template.metadata` is a pod template's metadata, which the API server validates too. */
const POD_TEMPLATE_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'ReplicationController', 'PodTemplate']);

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const at = (base: string, key: string) => `${base}[${JSON.stringify(key)}]`;
/** A key or value for a message: quoted, cut after 80 characters. */
const q = (s: string) => JSON.stringify(s.length > 80 ? `${s.slice(0, 60)}...` : s) + (s.length > 80 ? ` (${s.length} characters)` : '');

const KEY_RULE = "an optional DNS subdomain prefix of at most 253 characters and '/', then 1 to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit";

function checkMeta(o: Obj, meta: unknown, base: string, rep: Reporter): void {
  if (!isMap(meta)) return;
  const { labels, annotations } = meta;
  if (isMap(labels)) {
    for (const [k, v] of Object.entries(labels)) {
      if (!isQualifiedName(k)) rep.add(o, 'schema/labels', at(`${base}.labels`, k), `invalid label key ${q(k)}: a label key is ${KEY_RULE}`, 'Rename the label key.');
      else if (typeof v === 'string' && !isLabelValue(v)) {
        rep.add(o, 'schema/labels', at(`${base}.labels`, k), `invalid value ${q(v)} of label ${q(k)}: a label value is empty or at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`, 'Change the label value, or move free text to an annotation.');
      }
    }
  }
  if (isMap(annotations)) {
    for (const k of Object.keys(annotations)) {
      // ValidateAnnotations checks the lowercased key: an upper-case prefix is allowed
      if (!isQualifiedName(k.toLowerCase())) rep.add(o, 'schema/annotations', at(`${base}.annotations`, k), `invalid annotation key ${q(k)}: an annotation key is ${KEY_RULE}`, 'Rename the annotation key.');
    }
    const size = annotationsSize(annotations);
    if (size > ANNOTATIONS_SIZE_LIMIT) {
      rep.add(o, 'schema/annotations', `${base}.annotations`, `annotations are ${size} bytes in total, over the limit of ${ANNOTATIONS_SIZE_LIMIT} (256 KiB) of their keys and values together`, 'Move large data to a ConfigMap or Secret.');
    }
  }
}

/** Checks an object's metadata (and a workload's pod template metadata) and a Secret's or ConfigMap's keys. */
export function checkObjectMeta(o: Obj, rep: Reporter): void {
  const raw = o.raw;
  if (!isMap(raw)) return;
  checkMeta(o, raw.metadata, 'metadata', rep);
  if (POD_TEMPLATE_KINDS.has(o.kind) && isMap(raw.spec) && isMap(raw.spec.template)) checkMeta(o, raw.spec.template.metadata, 'spec.template.metadata', rep);
  if (o.kind === 'CronJob' && isMap(raw.spec) && isMap(raw.spec.jobTemplate) && isMap(raw.spec.jobTemplate.spec) && isMap(raw.spec.jobTemplate.spec.template)) {
    checkMeta(o, raw.spec.jobTemplate.spec.template.metadata, 'spec.jobTemplate.spec.template.metadata', rep);
  }
  const fields = o.apiVersion === 'v1' && o.kind === 'Secret' ? ['data', 'stringData'] : o.apiVersion === 'v1' && o.kind === 'ConfigMap' ? ['data', 'binaryData'] : [];
  for (const field of fields) {
    const m = raw[field];
    if (!isMap(m)) continue;
    for (const k of Object.keys(m)) {
      const why = configMapKeyError(k);
      if (why !== undefined) rep.add(o, 'schema/data-key', at(field, k), `invalid ${o.kind} key ${q(k)}: a key is ${why}`, 'Rename the key.');
    }
  }
}
