/**
 * Constructor-time validation of construct props.
 *
 * Every check throws a plain `Error` whose message names the prop, quotes the bad value and says what
 * is allowed, so that a bad prop fails `cdk8s synth` before anything is written.
 *
 * @internal
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const LABEL_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;

/** Quotes a value for an error message. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function fail(prop: string, value: unknown, allowed: string): never {
  throw new Error(`'${prop}' ${allowed} (got ${show(value)})`);
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
  return value;
}

/** Throws unless `value` is a valid Kubernetes namespace name. */
export function validateNamespace(prop: string, value: string): string {
  return validateDnsLabel(prop, value, 'a Kubernetes namespace name (a DNS-1123 label)');
}

/** Throws unless `value` is a DNS-1123 subdomain (names of most Kubernetes and Istio objects). */
export function validateObjectName(prop: string, value: string): string {
  const ok = typeof value === 'string' && value.length > 0 && value.length <= 253
    && value.split('.').every((l) => l.length <= 63 && DNS1123_LABEL.test(l));
  if (!ok) {
    fail(prop, value, "must be a Kubernetes object name: at most 253 lowercase letters, digits, '-' or '.', starting and ending with a letter or digit");
  }
  return value;
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
    const slash = key.lastIndexOf('/');
    const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
    const name = slash >= 0 ? key.slice(slash + 1) : key;
    const prefixOk = prefix === undefined
      || (prefix.length <= 253 && prefix.split('.').every((l) => l.length <= 63 && DNS1123_LABEL.test(l)));
    if (!prefixOk || name.length === 0 || name.length > 63 || !LABEL_NAME.test(name)) {
      throw new Error(`'${prop}' has an invalid label key ${show(key)}: a key is an optional DNS subdomain prefix and '/', then 1 to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`);
    }
    if (typeof value !== 'string' || value.length > 63 || (value.length > 0 && !LABEL_NAME.test(value))) {
      throw new Error(`'${prop}' has an invalid value for label ${show(key)} (got ${show(value)}): a label value is at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`);
    }
  }
  return { ...labels };
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
  if (IPV4.test(value)) {
    fail(prop, value, "must be a DNS name, not an IP address: Istio routes HTTP by host name; for IP destinations use a ServiceEntry with 'addresses' and resolution STATIC");
  }
  if (value === '*') {
    fail(prop, value, "must not be '*' alone: that matches every external host; name the host or use a '*.domain' wildcard");
  }
  if (value !== value.toLowerCase()) {
    fail(prop, value, `must be lowercase (Istio compares hosts in lowercase): use ${show(value.toLowerCase())}`);
  }
  const name = value.endsWith('.') ? value.slice(0, -1) : value;
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
  return value;
}

/** Throws unless `values` is a valid Istio `exportTo` list; returns a copy. */
export function validateExportTo(prop: string, values: string[]): string[] {
  if (!Array.isArray(values) || values.length === 0) {
    fail(prop, values, "must be a non-empty list of '.', '*', '~' or namespace names (omit it to export to every namespace)");
  }
  const seen = new Set<string>();
  for (const v of values) {
    if (v !== '.' && v !== '*' && v !== '~') {
      validateNamespace(`${prop}[${values.indexOf(v)}]`, v);
    }
    if (seen.has(v)) {
      fail(prop, values, `must not list ${show(v)} twice`);
    }
    seen.add(v);
  }
  if ((seen.has('*') || seen.has('~')) && values.length > 1) {
    fail(prop, values, "must not combine '*' or '~' with other entries");
  }
  return [...values];
}

/** Throws unless the image reference carries a pinned tag or digest (not `latest`). */
export function validatePinnedImage(prop: string, image: string): string {
  if (typeof image !== 'string' || image.trim() === '' || /\s/.test(image)) {
    fail(prop, image, 'must be a container image reference such as "nginx:1.28.0"');
  }
  if (image.includes('@sha256:')) return image;
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const tag = lastSegment.includes(':') ? lastSegment.slice(lastSegment.indexOf(':') + 1) : undefined;
  if (!tag || tag === 'latest') {
    fail(prop, image, 'must pin a tag or digest other than "latest" (e.g. "nginx:1.28.0"), so every synth deploys the same image');
  }
  return image;
}

/** Derives a Kubernetes object name from a host: `edition.cnn.com` → `edition-cnn-com`. */
export function nameFromHost(host: string): string {
  return host.replace(/\.$/, '').replace(/^\*\./, 'wildcard.').split('.').join('-').slice(0, 253).replace(/-+$/, '');
}
