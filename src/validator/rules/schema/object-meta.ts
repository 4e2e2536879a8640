/**
 * The API server's checks of labels, annotations and Secret/ConfigMap keys (apimachinery's ValidateObjectMeta,
 * ValidateLabels, ValidateAnnotations; ValidateSecret and ValidateConfigMap), which no schema states: invalid
 * ones are errors, as `kubectl apply` would be refused.
 */
import { annotationsSize, ANNOTATIONS_SIZE_LIMIT, configMapKeyError, isLabelValue, isQualifiedName } from '../../../common/kubernetes-names';
import type { Obj, Reporter } from '../../context';
import { defineRule } from '../rule';

export const SCHEMA_LABELS = defineRule({
  id: 'schema/labels',
  family: 'schema',
  severity: 'error',
  description: 'A label key or value of the metadata (or of a pod template) is not valid.',
  source: 'Kubernetes apimachinery ValidateLabels (IsQualifiedName, IsValidLabelValue)',
  details: 'ValidateLabels: a label key of metadata (and of a pod template) is a qualified name (optional DNS subdomain prefix and "/", a name of at most 63 characters), a label value is empty or at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit.',
});

export const SCHEMA_ANNOTATIONS = defineRule({
  id: 'schema/annotations',
  family: 'schema',
  severity: 'error',
  description: 'An annotation key is not a qualified name, or the annotations are over 256 KiB together.',
  source: 'Kubernetes apimachinery ValidateAnnotations',
  details: 'ValidateAnnotations: an annotation key is a qualified name (checked lowercased), the keys and values of an object\'s annotations are at most 256 KiB together.',
});

export const SCHEMA_DATA_KEY = defineRule({
  id: 'schema/data-key',
  family: 'schema',
  severity: 'error',
  description: 'A key of a Secret\'s or ConfigMap\'s data is not a valid ConfigMap key.',
  source: 'Kubernetes apimachinery IsConfigMapKey (ValidateSecret, ValidateConfigMap)',
  details: 'IsConfigMapKey: a key of a Secret\'s data or stringData, or of a ConfigMap\'s data or binaryData, is 1 to 253 letters, digits, "-", "_" or ".", and not ".", ".." or starting with "..".',
});

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
      if (!isQualifiedName(k)) rep.add(o, SCHEMA_LABELS, at(`${base}.labels`, k), `invalid label key ${q(k)}: a label key is ${KEY_RULE}`, 'Rename the label key.');
      else if (typeof v === 'string' && !isLabelValue(v)) {
        rep.add(o, SCHEMA_LABELS, at(`${base}.labels`, k), `invalid value ${q(v)} of label ${q(k)}: a label value is empty or at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`, 'Change the label value, or move free text to an annotation.');
      }
    }
  }
  if (isMap(annotations)) {
    for (const k of Object.keys(annotations)) {
      // ValidateAnnotations checks the lowercased key: an upper-case prefix is allowed
      if (!isQualifiedName(k.toLowerCase())) rep.add(o, SCHEMA_ANNOTATIONS, at(`${base}.annotations`, k), `invalid annotation key ${q(k)}: an annotation key is ${KEY_RULE}`, 'Rename the annotation key.');
    }
    const size = annotationsSize(annotations);
    if (size > ANNOTATIONS_SIZE_LIMIT) {
      rep.add(o, SCHEMA_ANNOTATIONS, `${base}.annotations`, `annotations are ${size} bytes in total, over the limit of ${ANNOTATIONS_SIZE_LIMIT} (256 KiB) of their keys and values together`, 'Move large data to a ConfigMap or Secret.');
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
      if (why !== undefined) rep.add(o, SCHEMA_DATA_KEY, at(field, k), `invalid ${o.kind} key ${q(k)}: a key is ${why}`, 'Rename the key.');
    }
  }
}
