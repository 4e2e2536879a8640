/**
 * IST0177 ConflictingServiceEntryProtocol, the analyzer Istio 1.31 adds
 * (pkg/config/analysis/analyzers/serviceentry/conflictingserviceentries.go, ConflictingServiceEntryProtocolAnalyzer;
 * the message of pkg/config/analysis/msg/messages.yaml, level Warning). Istio 1.30 has no such analyzer: the rule is
 * disabled for that release.
 *
 * The analyzer's logic, as Istio writes it:
 * - every ServiceEntry is indexed under (scope, host, port number) for each of its hosts (the strings as written: no
 *   wildcard matching, no case folding) and ports, once per scope: "*" when exportTo is empty or contains "*",
 *   else each exportTo entry, "." standing for the ServiceEntry's own namespace (so "~" is a scope of its own);
 * - for each key, the entries of a namespace scope are joined by those of the "*" scope of the same host and port;
 *   the key conflicts when the upper-cased protocols of its entries (an unset protocol counts as "") are two or more;
 * - every ServiceEntry of a conflicting key is reported once (over all keys) with the sorted, distinct
 *   "<namespace>/<name>" of the key's entries, the host, the port and the sorted protocols.
 * Istio walks the keys in Go's (random) map order, so a ServiceEntry that conflicts on several keys is reported with
 * any of them; here the first in input order (ServiceEntries, then hosts, then ports, then scopes), so that the
 * output is stable. An object without namespace is in "default", as istioctl analyze reads files.
 */
import type { Obj, Reporter } from '../../context';
import type { MeshIndex } from '../../mesh-index';
import { defineRule, enabledIn } from '../rule';
import { byCodePoint, fullName } from './names';

export const CONFLICTING_SE_PROTOCOL = defineRule({
  id: 'analyzer/conflicting-service-entry-protocol',
  family: 'analyzer',
  severity: 'warning',
  description: 'ServiceEntries visible in one namespace define the same host and port with different protocols.',
  source: 'Istio 1.31 analyzer IST0177 ConflictingServiceEntryProtocol (serviceentry/conflictingserviceentries.go)',
  details: 'IST0177 ConflictingServiceEntryProtocol (Istio: warning) "Multiple ServiceEntries (...) define the same host ... and port ... with conflicting protocols (...)": ServiceEntries whose exportTo scopes meet (the same namespace, "." read as the ServiceEntry\'s namespace, or "*" / no exportTo, which meets every scope) list the same host string and port number with protocols that differ ignoring case (an unset protocol is one of its own). Each such ServiceEntry is reported once.',
  releases: {
    '1.30': { enabled: false, note: 'Istio 1.30 has no ConflictingServiceEntryProtocolAnalyzer (IST0177 is new in 1.31)' },
  },
});

const ALL = '*';
const LOCAL = '.';

interface Entry { readonly protocol: string; readonly se: Obj; readonly port: number }

/** The exportTo scopes of a ServiceEntry (conflictingserviceentries.go exportToScopes, util.IsExportToAllNamespaces). */
function scopesOf(exportTo: unknown, ns: string): string[] {
  const list = Array.isArray(exportTo) ? exportTo.filter((e): e is string => typeof e === 'string') : [];
  if (list.length === 0 || list.includes(ALL)) return [ALL];
  return [...new Set(list.map(e => (e === LOCAL ? ns : e)))];
}

/** Reports IST0177 on the ServiceEntries of the run (Istio 1.31 and later). */
export function checkConflictingServiceEntries(idx: MeshIndex, rep: Reporter): void {
  if (!enabledIn(CONFLICTING_SE_PROTOCOL, rep.release)) return;
  // key "<scope>\n<host>\n<port>", in insertion order
  const index = new Map<string, { scope: string; host: string; port: number; entries: Entry[] }>();
  for (const se of idx.serviceEntries) {
    const spec = se.raw?.spec;
    if (!spec || typeof spec !== 'object') continue;
    const hosts = (Array.isArray(spec.hosts) ? spec.hosts : []).filter((h: unknown): h is string => typeof h === 'string');
    const ports = (Array.isArray(spec.ports) ? spec.ports : []).map((p: any, i: number) => ({ p, i })).filter(({ p }: { p: any }) => typeof p?.number === 'number');
    for (const scope of scopesOf(spec.exportTo, se.namespace ?? 'default')) {
      for (const host of hosts) {
        for (const { p, i } of ports) {
          const key = `${scope}\n${host}\n${p.number}`;
          let slot = index.get(key);
          if (!slot) index.set(key, slot = { scope, host, port: p.number, entries: [] });
          slot.entries.push({ protocol: typeof p.protocol === 'string' ? p.protocol : '', se, port: i });
        }
      }
    }
  }
  const reported = new Set<string>();
  for (const { scope, host, port, entries: own } of index.values()) {
    const entries = scope === ALL ? own : [...own, ...index.get(`${ALL}\n${host}\n${port}`)?.entries ?? []];
    const protocols = [...new Set(entries.map(e => e.protocol.toUpperCase()))].sort(byCodePoint);
    if (protocols.length < 2) continue;
    const names = [...new Set(entries.map(e => fullName(e.se)))].sort(byCodePoint).join(', ');
    for (const e of entries) {
      const n = fullName(e.se);
      if (reported.has(n)) continue;
      reported.add(n);
      rep.add(e.se, CONFLICTING_SE_PROTOCOL, `spec.ports[${e.port}]`,
        `IST0177 Multiple ServiceEntries (${names}) define the same host ${JSON.stringify(host)} and port ${port} with conflicting protocols (${protocols.join(', ')}).`,
        `Give port ${port} of host ${host} the same protocol in every ServiceEntry visible in a common namespace, or make the exportTo scopes of these ServiceEntries disjoint.`);
    }
  }
}
