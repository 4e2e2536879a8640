/**
 * `exportTo` and `location` of the objects an origination emits: one list given by the user, expressed
 * per object with the namespaces Istio needs added.
 *
 * @internal
 */
import * as istio from '../../imports/networking.istio.io';
import { ServiceEntryLocation } from '../core/istio';
import { show } from './props';

/**
 * The `exportTo` list of one emitted object: the user's `list` (where `.` means `namespace`, the origination's
 * namespace), plus the `required` namespaces whose proxies must see the object, written relative to the
 * object's own namespace `objectNamespace` (that namespace is `.`, listed first). `undefined` (the prop is not
 * set) stays `undefined`: Istio's default, every namespace. `*` stays `['*']`.
 */
export function exportToFor(list: string[] | undefined, namespace: string | undefined, objectNamespace: string | undefined, required: readonly string[] = []): string[] | undefined {
  if (list === undefined) return undefined;
  if (list.includes('*')) return ['*'];
  const out: string[] = [];
  const add = (e: string) => {
    const v = objectNamespace !== undefined && e === objectNamespace ? '.' : e;
    if (!out.includes(v)) out.push(v);
  };
  for (const e of list) {
    if (e !== '.') add(e);
    else if (namespace === objectNamespace) add('.');
    // the origination's namespace is unknown ('.' of `kubectl apply`) and the object lives elsewhere: it is
    // only emitted there for the gateway, which `required` covers
    else if (namespace !== undefined) add(namespace);
  }
  for (const r of required) add(r);
  return [...out.filter((e) => e === '.'), ...out.filter((e) => e !== '.')];
}

/** Validates a `location` prop (for JavaScript callers) and returns it in the ServiceEntry's spelling. */
export function validateLocation(value: ServiceEntryLocation | undefined, emitsServiceEntry = true): istio.ServiceEntrySpecLocation | undefined {
  if (value === undefined) return undefined;
  if (!Object.values(ServiceEntryLocation).includes(value)) {
    throw new Error(`'location' must be one of ${Object.values(ServiceEntryLocation).join(', ')} (got ${show(value)})`);
  }
  if (!emitsServiceEntry) {
    throw new Error(`'location' has no effect without a ServiceEntry (createServiceEntry is false or the host is a Service of the cluster) (got ${show(value)}); remove it or emit the ServiceEntry`);
  }
  return value as unknown as istio.ServiceEntrySpecLocation;
}
