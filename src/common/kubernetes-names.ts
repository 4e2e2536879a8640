/**
 * Kubernetes' rules for the keys and values of labels, annotations and Secret/ConfigMap data (apimachinery's
 * `pkg/util/validation`: `IsQualifiedName`, `IsValidLabelValue`, `IsConfigMapKey`, and `ValidateAnnotations`
 * of `pkg/api/validation`), shared by the constructs and the validator.
 */

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** apimachinery's `TotalAnnotationSizeLimitB`: the keys and values of an object's annotations together, in bytes. */
export const ANNOTATIONS_SIZE_LIMIT = 256 * 1024;

/**
 * Whether `key` is a qualified name, the rule for label and annotation keys (`IsQualifiedName`): an optional
 * prefix that is a DNS-1123 subdomain of at most 253 characters and `/`, then a name of 1 to 63 letters,
 * digits, `-`, `_` or `.`, starting and ending with a letter or digit.
 */
export function isQualifiedName(key: unknown): boolean {
  if (typeof key !== 'string') return false;
  const parts = key.split('/');
  if (parts.length > 2) return false;
  const name = parts[parts.length - 1];
  if (parts.length === 2 && (parts[0].length === 0 || parts[0].length > 253 || !DNS1123_SUBDOMAIN.test(parts[0]))) return false;
  return name.length > 0 && name.length <= 63 && QUALIFIED_NAME_PART.test(name);
}

/** Whether `value` is a label value (`IsValidLabelValue`): empty, or at most 63 characters of a qualified name's name part. */
export function isLabelValue(value: unknown): boolean {
  return typeof value === 'string' && value.length <= 63 && (value === '' || QUALIFIED_NAME_PART.test(value));
}

/**
 * Why `key` is not a key of a Secret's or ConfigMap's data (`IsConfigMapKey`), or undefined when it is one: 1 to
 * 253 letters, digits, `-`, `_` or `.`, not `.` or `..`, not starting with `..`.
 */
export function configMapKeyError(key: unknown): string | undefined {
  if (typeof key !== 'string' || key.length === 0 || key.length > 253 || !/^[-._a-zA-Z0-9]+$/.test(key)) {
    return "1 to 253 letters, digits, '-', '_' or '.'";
  }
  if (key === '.' || key === '..' || key.startsWith('..')) {
    return "not '.' or '..' and not starting with '..': a mounted Secret or ConfigMap keeps its own '..data' entries beside the keys, which such a key collides with or escapes";
  }
  return undefined;
}

/** The size apimachinery counts for annotations: the UTF-8 bytes of every key and value. */
export function annotationsSize(annotations: Readonly<Record<string, unknown>>): number {
  let n = 0;
  for (const [k, v] of Object.entries(annotations)) n += Buffer.byteLength(k) + (typeof v === 'string' ? Buffer.byteLength(v) : 0);
  return n;
}
