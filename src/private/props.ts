/**
 * Constructor-time validation of construct props.
 *
 * Every check throws a plain `Error` whose message names the prop, quotes the bad value and says what
 * is allowed, so that a bad prop fails `cdk8s synth` before anything is written.
 *
 * @internal
 */

import { createHash } from 'crypto';
import { Yaml } from 'cdk8s';
import { kubectlMisreading } from '../common/kubectl-yaml';
import { configMapKeyError, isLabelValue, isQualifiedName } from '../common/kubernetes-names';
import { parseImageReference } from '../common/image-ref';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** Longest string `show` quotes in full; a longer one is cut and its length given. */
const SHOWN_STRING = 80;
/** Control, format and bidirectional characters JSON.stringify leaves as they are. */
const INVISIBLE = /[\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g;

/**
 * Shows a value in an error message without ever serialising it: a string is quoted (control and invisible
 * characters escaped, cut after 80 characters with its length, and a PEM block only described), a number,
 * boolean, `null` or `undefined` printed, an array of a few primitives listed (each item shown this way), and
 * anything else described by its type: `a TlsCredential`, `a Deployment (construct "shop/checkout")`,
 * `an object with keys secretName, certificate`. Key material, tokens or the contents of a class instance
 * never reach stderr or CI logs this way.
 */
export function show(value: unknown): string {
  switch (typeof value) {
    case 'string': return showString(value);
    case 'number': return Object.is(value, -0) ? '-0' : String(value);
    case 'boolean': return String(value);
    case 'bigint': return `${value}n`;
    case 'undefined': return 'undefined';
    case 'symbol': return 'a symbol';
    case 'function': return /^class[\s{]/.test(Function.prototype.toString.call(value)) ? `a class${fnName(value)}` : `a function${fnName(value)}`;
  }
  if (value === null) return 'null';
  return describeObject(value as object);
}

function showString(value: string): string {
  if (value.length > SHOWN_STRING && /^[A-Za-z0-9+/=_-]+$/.test(value) && /[A-Z]/.test(value) && /[a-z]/.test(value) && /[0-9]/.test(value)) {
    return `a string of ${value.length} characters that looks like base64 (not shown)`;
  }
  if (/-----BEGIN [A-Z0-9 ]*-----/.test(value)) {
    const label = /-----BEGIN ([A-Z0-9 ]*)-----/.exec(value)![1];
    return `a PEM ${/PRIVATE KEY/.test(value) ? 'private key' : label === 'CERTIFICATE' ? 'certificate' : 'block'} (${value.length} characters, not shown)`;
  }
  const cut = value.length > SHOWN_STRING;
  // cut on a code point, not inside a surrogate pair
  const text = cut ? Array.from(value).slice(0, SHOWN_STRING - 20).join('') : value;
  const quoted = JSON.stringify(text).replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return cut ? `${quoted.slice(0, -1)}..." (${value.length} characters)` : quoted;
}

function fnName(f: unknown): string {
  const name = (f as { name?: unknown }).name;
  return typeof name === 'string' && /^[A-Za-z_$][\w$]{0,63}$/.test(name) ? ` ${name}` : '';
}

function article(word: string): string {
  return /^[aeiouAEIOU]/.test(word) ? `an ${word}` : `a ${word}`;
}

function describeObject(value: object): string {
  let proto: unknown;
  let isArray: boolean;
  let keys: string[];
  try {
    // a Proxy may throw from any of these
    isArray = Array.isArray(value);
    proto = Object.getPrototypeOf(value);
    keys = Object.keys(value);
  } catch {
    return 'an object';
  }
  if (isArray) {
    const items = value as unknown[];
    const simple = items.length <= 10 && keys.length === items.length
      && items.every((i) => i === null || ['string', 'number', 'boolean', 'undefined'].includes(typeof i));
    if (simple) return `[${items.map(show).join(',')}]`;
    return `an array of ${items.length} item${items.length === 1 ? '' : 's'}`;
  }
  const ctor = proto === null || proto === Object.prototype ? undefined : safeConstructorName(proto);
  if (ctor !== undefined) {
    const path = constructPath(value);
    return `${article(ctor)}${path !== undefined ? ` (construct ${showString(path)})` : ''}`;
  }
  if (keys.length === 0) return 'an empty object';
  const names = keys.slice(0, 6).map((k) => (/^[A-Za-z_$][\w$.-]{0,39}$/.test(k) ? k : showString(k)));
  return `an object with key${keys.length === 1 ? '' : 's'} ${names.join(', ')}${keys.length > 6 ? `, ... (${keys.length} keys)` : ''}`;
}

function safeConstructorName(proto: unknown): string {
  try {
    const name = (proto as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === 'string' && /^[A-Za-z_$][\w$]{0,63}$/.test(name) ? name : 'object';
  } catch {
    return 'object';
  }
}

/** The path of a construct (`shop/checkout`), for `show`; undefined for anything else. */
function constructPath(value: object): string | undefined {
  try {
    const path = (value as { node?: { path?: unknown } }).node?.path;
    return typeof path === 'string' && path !== '' ? path : undefined;
  } catch {
    return undefined;
  }
}

function fail(prop: string, value: unknown, allowed: string): never {
  throw new Error(`'${prop}' ${allowed} (got ${show(value)})${nameHint(value)}`);
}

/** For a Kubernetes object given where its name goes (a cdk8s-plus `Namespace`): how to pass its name. */
function nameHint(value: unknown): string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return '';
  try {
    const name = (value as { name?: unknown }).name;
    return typeof name === 'string' && typeof (value as { kind?: unknown }).kind === 'string' ? `; give its name instead (.name, here ${show(name)})` : '';
  } catch {
    return '';
  }
}

/** Throws unless `value` is an integer port number. */
export function validatePort(prop: string, value: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
    fail(prop, value, 'must be an integer from 1 to 65535');
  }
  return value;
}

/** Throws unless the named ports are pairwise different. */
export function validateDistinctPorts(ports: Record<string, number>): void {
  const seen = new Map<number, string>();
  for (const [prop, port] of Object.entries(ports)) {
    const other = seen.get(port);
    if (other !== undefined) {
      throw new Error(`'${prop}' must differ from '${other}': both are ${port}, and a ServiceEntry cannot declare one port number twice`);
    }
    seen.set(port, prop);
  }
}

/** Throws unless `value` is a DNS-1123 label (namespace names, port names). */
export function validateDnsLabel(prop: string, value: string, what = 'a DNS-1123 label'): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 63 || !DNS1123_LABEL.test(value)) {
    fail(prop, value, `must be ${what}: 1 to 63 lowercase letters, digits or '-', starting and ending with a letter or digit`);
  }
  return validateKubectlReadable(prop, value);
}

/** Throws unless `value` is a valid Kubernetes namespace name. */
export function validateNamespace(prop: string, value: string): string {
  return validateDnsLabel(prop, value, 'a Kubernetes namespace name (a DNS-1123 label)');
}

/**
 * Throws unless `value` is a DNS-1123 subdomain, the rule Kubernetes applies to the names of most objects
 * (ServiceAccounts, Deployments, Secrets, ConfigMaps, Roles, Istio objects): at most 253 characters of
 * lowercase letters, digits, '-' and '.', each '.'-separated part starting and ending with a letter or
 * digit. Unlike a label, a part may be longer than 63 characters.
 */
export function validateObjectName(prop: string, value: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    fail(prop, value, 'must be a Kubernetes object name (a DNS-1123 subdomain such as "my-app")');
  }
  if (value.length > 253) {
    throw new Error(`'${prop}' must be a Kubernetes object name of at most 253 characters (got ${value.length} characters: ${show(value.slice(0, 40))}...)`);
  }
  if (!DNS1123_SUBDOMAIN.test(value)) {
    fail(prop, value, "must be a Kubernetes object name (a DNS-1123 subdomain): lowercase letters, digits, '-' or '.', each '.'-separated part starting and ending with a letter or digit");
  }
  return validateKubectlReadable(prop, value);
}

/**
 * Throws unless `value` is a DNS-1035 label, the rule for Service names: at most 63 lowercase letters,
 * digits or '-', starting with a letter and ending with a letter or digit.
 */
export function validateServiceName(prop: string, value: string, what = 'a Service name'): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 63 || !DNS1035_LABEL.test(value)) {
    const why = typeof value === 'string' && value.length > 63 ? ` of at most 63 characters (got ${value.length} characters: ${show(value)})`
      : ` (a DNS-1035 label): 1 to 63 lowercase letters, digits or '-', starting with a letter and ending with a letter or digit (got ${show(value)})`;
    throw new Error(`'${prop}' must be ${what}${why}`);
  }
  return validateKubectlReadable(prop, value);
}

/** Throws unless every key and value is a valid Kubernetes label; returns a copy. */
export function validateLabels(prop: string, labels: Record<string, string>, options: { nonEmpty?: boolean } = {}): Record<string, string> {
  if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) {
    fail(prop, labels, 'must be an object of label keys to values');
  }
  const entries = Object.entries(labels);
  if (options.nonEmpty && entries.length === 0) {
    fail(prop, labels, 'must contain at least one label: an empty selector selects every workload');
  }
  for (const [key, value] of entries) {
    if (!isQualifiedName(key)) {
      throw new Error(`'${prop}' has an invalid label key ${show(key)}: a key is an optional DNS subdomain prefix and '/', then 1 to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`);
    }
    if (!isLabelValue(value)) {
      throw new Error(`'${prop}' has an invalid value for label ${show(key)} (got ${show(value)}): a label value is at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`);
    }
    validateKubectlReadable(prop, key, { key: true, subject: `must not have the label key ${show(key)}` });
    validateKubectlReadable(prop, value, { subject: `must not give label ${show(key)} the value ${show(value)}` });
  }
  return { ...labels };
}

/**
 * Throws unless `key` is a key of a Secret's or ConfigMap's data (apimachinery's `IsConfigMapKey`): 1 to 253
 * letters, digits, `-`, `_` or `.`, not `.` or `..` and not starting with `..` (the kubelet's atomic writer
 * keeps its own `..data` and `..<timestamp>` entries in the mounted folder, which such a key would collide
 * with or escape to).
 */
export function validateDataKey(prop: string, key: string, what = 'a Secret key'): string {
  const why = configMapKeyError(key);
  if (why !== undefined) fail(prop, key, `must be ${what}: ${why}`);
  return validateKubectlReadable(prop, key, { key: true });
}

/**
 * Throws when cdk8s would write `value` unquoted and kubectl would read it back as something else: cdk8s
 * writes YAML with the YAML 1.1 schema of the `yaml` package, which takes `0o17`, `0X1F` or `1e1_0` for
 * strings and leaves them unquoted, while kubectl's YAML reader (go-yaml v2) reads them as numbers
 * (src/common/kubectl-yaml.ts), so the object would fail to apply (`cannot unmarshal number into Go struct
 * field`) or, as a map key, silently change (`0o17` becomes `15`). Strings cdk8s quotes pass. The
 * repository's synth commands quote them (src/synth/kubectl-safe.ts), but `cdk8s synth` does not.
 *
 * @param options.key the string is a map key (a label key, a data key): there a plain `<<` merges maps
 * @param options.subject what is refused, after the prop, for the message (default `must not be "0o17"`)
 */
export function validateKubectlReadable(prop: string, value: string, options: { key?: boolean; subject?: string } = {}): string {
  if (typeof value !== 'string') return value;
  const reading = kubectlMisreading(value, options);
  if (reading === undefined || !cdk8sWritesPlain(value, options.key ?? false)) return value;
  throw new Error(`'${prop}' ${options.subject ?? `must not be ${show(value)}`}: kubectl reads the unquoted ${value} cdk8s writes as ${reading}, `
    + `not as the string ${show(value)} (cdk8s's YAML 1.1 writer takes it for a string and does not quote it; kubectl's reader, go-yaml v2, does not); choose another value`);
}

/** Whether cdk8s's `Yaml.stringify` (the writer of every manifest) writes `value` as a plain scalar. */
function cdk8sWritesPlain(value: string, key: boolean): boolean {
  return key ? Yaml.stringify({ [value]: 0 }) === `${value}: 0\n` : Yaml.stringify(value) === `${value}\n`;
}

/**
 * Throws unless `value` is a host Istio accepts in a ServiceEntry: a lowercase fully qualified domain
 * name, optionally with a leading `*.` wildcard when `allowWildcard` is set. URLs, `host:port`, IP
 * addresses and a bare `*` are refused with a hint.
 */
export function validateHost(prop: string, value: string, options: { allowWildcard?: boolean; wildcardReason?: string } = {}): string {
  if (typeof value !== 'string' || value.trim().length === 0) {
    fail(prop, value, "must be a fully qualified domain name such as 'edition.cnn.com'");
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value) || value.includes('/')) {
    fail(prop, value, "must be a host name, not a URL: drop the scheme and path, e.g. 'edition.cnn.com'");
  }
  if (value.includes(':')) {
    fail(prop, value, "must be a host name without a port or an IPv6 address: give the port in 'httpPort' / 'httpsPort'");
  }
  if (IPV4.test(value.replace(/\.$/, ''))) {
    fail(prop, value, "must be a DNS name, not an IP address: Istio routes HTTP by host name; for IP destinations use a ServiceEntry with 'addresses' and resolution STATIC");
  }
  if (value === '*') {
    fail(prop, value, "must not be '*' alone: that matches every external host; name the host or use a '*.domain' wildcard");
  }
  if (value !== value.toLowerCase()) {
    fail(prop, value, `must be lowercase (Istio compares hosts in lowercase): use ${show(value.toLowerCase())}`);
  }
  if (value.endsWith('.')) {
    fail(prop, value, `must not end with '.': Istio accepts the absolute form, but Envoy compares hosts and server names (SNI) as strings, and clients, servers and certificates use names without the dot (RFC 6066 forbids it in SNI), so ${show(value)} matches none of them; use ${show(value.replace(/\.+$/, ''))}`);
  }
  const name = value;
  const labels = name.split('.');
  if (labels[0] === '*') {
    if (!options.allowWildcard) {
      fail(prop, value, `must not be a wildcard here${options.wildcardReason ? `: ${options.wildcardReason}` : ''}`);
    }
    labels.shift();
    if (labels.length < 2) {
      fail(prop, value, "must have at least two labels after the wildcard, e.g. '*.example.com'");
    }
  }
  if (name.length > 253) {
    fail(prop, value, 'must be at most 253 characters long');
  }
  for (const label of labels) {
    if (label.includes('*')) {
      fail(prop, value, "may only contain '*' as the whole first label, e.g. '*.example.com'");
    }
    if (label.length === 0 || label.length > 63 || !DNS1123_LABEL.test(label)) {
      throw new Error(`'${prop}' must be a fully qualified domain name (got ${show(value)}): label ${show(label)} is not 1 to 63 lowercase letters, digits or '-' starting and ending with a letter or digit`);
    }
  }
  if (labels.length < 2 && !options.allowWildcard) {
    // single-label names ("nginx") resolve against the pod's search path, which Istio does not do
    fail(prop, value, "must be fully qualified, e.g. 'my-nginx.mesh-external.svc.cluster.local' rather than a short name");
  }
  return validateKubectlReadable(prop, value);
}

/** Where an `exportTo` list goes, for the rules Istio's webhook applies (`validateExportTo` in validation.go). */
export interface ExportToContext {
  /** Whether the list is also emitted on a DestinationRule (not only on a ServiceEntry): then `~` is refused. */
  readonly destinationRule: boolean;
  /** Whether that DestinationRule has a `workloadSelector`: then only its own namespace is allowed. */
  readonly workloadSelector?: boolean;
  /** Namespace of the objects, when known: `.` and that namespace are the same entry. */
  readonly namespace?: string;
}

/**
 * Throws unless `values` is an `exportTo` list Istio accepts on the objects it goes to; returns a copy.
 * Istio: entries are `.`, `*` or namespace names (`~` only on a ServiceEntry), without duplicates (`.` and
 * the own namespace are one), `*` and `~` alone, and a DestinationRule with a `workloadSelector` is exported
 * to its own namespace only.
 */
export function validateExportTo(prop: string, values: string[], ctx: ExportToContext = { destinationRule: true }): string[] {
  if (!Array.isArray(values) || values.length === 0) {
    fail(prop, values, "must be a non-empty list of '.', '*' or namespace names (omit it to export to every namespace)");
  }
  const seen = new Map<string, string>();
  values.forEach((v, i) => {
    if (v === '~' && ctx.destinationRule) {
      fail(prop, values, "must not contain '~' (export to no one): Istio allows it only on a ServiceEntry, and this construct also emits a DestinationRule; use '.' to keep both in their namespace");
    }
    if (v !== '.' && v !== '*' && v !== '~') {
      validateNamespace(`${prop}[${i}]`, v);
    }
    const key = v === '.' && ctx.namespace !== undefined ? ctx.namespace : v;
    const before = seen.get(key);
    if (before !== undefined) {
      fail(prop, values, before === v ? `must not list ${show(v)} twice` : `must not list both '.' and the own namespace ${show(key)}: they are the same entry`);
    }
    seen.set(key, v);
  });
  if ((seen.has('*') || seen.has('~')) && values.length > 1) {
    fail(prop, values, "must not combine '*' or '~' with other entries");
  }
  if (ctx.workloadSelector) {
    const own = values.length === 1 && (values[0] === '.' || (ctx.namespace !== undefined && values[0] === ctx.namespace));
    if (!own) {
      fail(prop, values, `must be ['.'] (or omitted) with a client: Istio refuses a DestinationRule with a workloadSelector that is exported beyond its own namespace${ctx.namespace ? ` (${show(ctx.namespace)})` : ''}`);
    }
  }
  return [...values];
}

/** Throws unless the image reference carries a pinned tag or digest (not `latest`). */
export function validatePinnedImage(prop: string, image: string): string {
  if (typeof image !== 'string' || image.trim() === '' || /\s/.test(image)) {
    fail(prop, image, 'must be a container image reference such as "nginx:1.28.0"');
  }
  const ref = parseImageReference(image);
  if (!ref.valid) {
    fail(prop, image, `must be a container image reference such as "nginx:1.28.0" ([registry/]name[:tag][@digest]; the kubelet refuses this one: ${ref.reason})`);
  }
  if (ref.digest) return image;
  if (!ref.tag || ref.tag === 'latest') {
    fail(prop, image, 'must pin a tag or digest other than "latest" (e.g. "nginx:1.28.0"), so every synth deploys the same image');
  }
  return image;
}

/**
 * Shortens `name` to at most `max` characters, deterministically: a name that fits is returned as is;
 * a longer one keeps its start and ends with `-` and 8 hex digits of its SHA-256, so that two long names
 * that share a prefix stay different.
 */
export function shortenName(name: string, max: number): string {
  if (name.length <= max) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, max - 9).replace(/[-.]+$/, '')}-${hash}`;
}

/**
 * Derives a Kubernetes object name (a DNS-1123 subdomain) from a valid host: `edition.cnn.com` →
 * `edition-cnn-com`, `*.example.com` → `wildcard-example-com`; shortened with a hash when longer than 253.
 */
export function nameFromHost(host: string): string {
  return shortenName(host.replace(/\.$/, '').replace(/^\*\./, 'wildcard.').split('.').join('-'), 253);
}

/** Levenshtein distance between two strings (case-insensitive). */
export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[y.length];
}

/**
 * Checks the props object a construct or factory receives, for JavaScript callers: throws unless it is a
 * plain object (`undefined` is allowed when `optional`, and becomes `{}`), and on any key not in `known`,
 * naming the closest known prop.
 *
 * @param owner what receives the props, for the message: `SleepClient`, `TlsCredential.fromPem`
 */
export function checkProps<T>(owner: string, props: T, known: readonly string[], options: { optional?: boolean; what?: string } = {}): T {
  const what = options.what ?? 'props';
  if (props === undefined && options.optional) return {} as T;
  if (props === null || props === undefined || typeof props !== 'object' || Array.isArray(props)) {
    const got = props === null ? 'null' : props === undefined ? 'undefined' : Array.isArray(props) ? `an array ${show(props)}` : `${typeof props} ${show(props)}`;
    throw new Error(`${owner}: ${what} must be an object (got ${got})`);
  }
  for (const key of Object.keys(props as object)) {
    if (known.includes(key)) continue;
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const k of known) {
      const d = editDistance(key, k);
      if (d < bestDistance) { best = k; bestDistance = d; }
    }
    const close = best !== undefined && bestDistance <= Math.max(2, Math.floor(key.length / 3));
    throw new Error(`${owner}: unknown prop '${key}' ${close ? `(did you mean '${best}'?)` : `(known props: ${known.map((k) => `'${k}'`).join(', ')})`}`);
  }
  return props;
}
