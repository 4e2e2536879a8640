/**
 * How Istio's analyzers name and order objects in their messages, shared by the analyzer ports.
 */
import type { Obj } from '../../context';

/** `<namespace>/<name>`, the default namespace for an object that names none (resource.FullName.String()). */
export function fullName(o: Obj): string {
  return `${o.namespace ?? 'default'}/${o.name}`;
}

/** Go's sort.Strings order (byte order of UTF-16 code units here, the same for the ASCII names of Kubernetes). */
export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Kubernetes' labels.SelectorFromSet(...).String(): the pairs sorted by key, `k=v` joined by "," ('' for no map). */
export function selectorString(sel: unknown): string {
  if (!sel || typeof sel !== 'object') return '';
  const m = sel as { [k: string]: unknown };
  return Object.keys(m).sort(byCodePoint).map(k => `${k}=${m[k]}`).join(',');
}
