// IST0177 ConflictingServiceEntryProtocol (src/validator/rules/analyzer/conflicting-service-entries.ts), the analyzer
// Istio 1.31 adds (serviceentry/conflictingserviceentries.go): ServiceEntries whose exportTo scopes meet, with the same
// host and port and different protocols. Istio 1.30 has no such analyzer.
import { validateManifests, type Finding } from '../../../../src/validator';

const ID = 'analyzer/conflicting-service-entry-protocol';

function se(name: string, namespace: string | undefined, ports: Array<{ number: number; protocol?: string }>, extra: { hosts?: string[]; exportTo?: string[] } = {}) {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'ServiceEntry',
    metadata: { name, ...(namespace ? { namespace } : {}) },
    spec: {
      hosts: extra.hosts ?? ['example.com'],
      ports: ports.map(p => ({ name: `${(p.protocol ?? 'tcp').toLowerCase()}-${p.number}`, ...p })),
      resolution: 'DNS',
      location: 'MESH_EXTERNAL',
      ...(extra.exportTo ? { exportTo: extra.exportTo } : {}),
    },
  };
}

const conflicts = (objs: unknown[], istio?: string): Finding[] =>
  validateManifests(objs, istio ? { istio } : {}).findings.filter(f => f.ruleId === ID);
const who = (fs: Finding[]) => fs.map(f => `${f.object.namespace}/${f.object.name} ${f.field}`).sort();

describe('analyzer/conflicting-service-entry-protocol (IST0177, Istio 1.31)', () => {
  // Istio's own input (testdata/serviceentry-conflicting-protocol.yaml): HTTPS and HTTP on example.com:13835
  const pair = () => [se('se-https', 'default', [{ number: 13835, protocol: 'HTTPS' }]), se('se-http', 'default', [{ number: 13835, protocol: 'HTTP' }])];

  test('fails: two ServiceEntries of one namespace give example.com:13835 HTTP and HTTPS; each is reported once, as a warning', () => {
    const fs = conflicts(pair());
    expect(who(fs)).toEqual(['default/se-http spec.ports[0]', 'default/se-https spec.ports[0]']);
    for (const f of fs) {
      expect(f.severity).toBe('warning');
      expect(f.message).toBe('IST0177 Multiple ServiceEntries (default/se-http, default/se-https) define the same host "example.com" and port 13835 with conflicting protocols (HTTP, HTTPS).');
      expect(f.fix).toBe('Give port 13835 of host example.com the same protocol in every ServiceEntry visible in a common namespace, or make the exportTo scopes of these ServiceEntries disjoint.');
    }
    // the release option says the same (1.31 is the default)
    expect(conflicts(pair(), '1.31')).toEqual(fs);
  });

  test('Istio 1.30 has no IST0177: the same input gives no finding of the rule', () => {
    expect(conflicts(pair(), '1.30')).toEqual([]);
  });

  test('passes: the same protocol (ignoring case), another port, another host', () => {
    expect(conflicts([se('a', 'default', [{ number: 443, protocol: 'HTTPS' }]), se('b', 'default', [{ number: 443, protocol: 'https' }])])).toEqual([]);
    expect(conflicts([se('a', 'default', [{ number: 443, protocol: 'HTTPS' }]), se('b', 'default', [{ number: 8443, protocol: 'HTTP' }])])).toEqual([]);
    expect(conflicts([se('a', 'default', [{ number: 443, protocol: 'HTTPS' }]), se('b', 'default', [{ number: 443, protocol: 'HTTP' }], { hosts: ['other.com'] })])).toEqual([]);
  });

  test('passes: exportTo "." in two namespaces never meet (Istio\'s serviceentry-conflicting-exportto.yaml)', () => {
    expect(conflicts([
      se('se-ns1', 'ns1', [{ number: 8080, protocol: 'HTTP' }], { exportTo: ['.'] }),
      se('se-ns2', 'ns2', [{ number: 8080, protocol: 'HTTPS' }], { exportTo: ['.'] }),
    ])).toEqual([]);
  });

  test('fails: a ServiceEntry exported to all (no exportTo) meets a namespace-local one of another namespace', () => {
    const fs = conflicts([
      se('local', 'ns1', [{ number: 8080, protocol: 'HTTP' }], { exportTo: ['.'] }),
      se('everywhere', 'ns2', [{ number: 8080, protocol: 'TCP' }]),
    ]);
    expect(who(fs)).toEqual(['ns1/local spec.ports[0]', 'ns2/everywhere spec.ports[0]']);
    expect(fs[0].message).toBe('IST0177 Multiple ServiceEntries (ns1/local, ns2/everywhere) define the same host "example.com" and port 8080 with conflicting protocols (HTTP, TCP).');
  });

  test('fails: exportTo naming a namespace meets "." of that namespace; an unset protocol is a protocol of its own', () => {
    const fs = conflicts([
      se('exported', 'ns2', [{ number: 9000 }], { exportTo: ['ns1'] }),
      se('local', 'ns1', [{ number: 9000, protocol: 'TCP' }], { exportTo: ['.'] }),
    ]);
    expect(who(fs)).toEqual(['ns1/local spec.ports[0]', 'ns2/exported spec.ports[0]']);
    expect(fs[0].message).toBe('IST0177 Multiple ServiceEntries (ns1/local, ns2/exported) define the same host "example.com" and port 9000 with conflicting protocols (, TCP).');
  });

  test('a ServiceEntry that conflicts on two ports is reported once, with the first port in input order', () => {
    const fs = conflicts([
      se('a', 'default', [{ number: 80, protocol: 'HTTP' }, { number: 443, protocol: 'HTTPS' }]),
      se('b', 'default', [{ number: 80, protocol: 'TCP' }, { number: 443, protocol: 'TLS' }]),
    ]);
    expect(who(fs)).toEqual(['default/a spec.ports[0]', 'default/b spec.ports[0]']);
    expect(fs.every(f => f.message.includes('port 80 with conflicting protocols (HTTP, TCP)'))).toBe(true);
  });

  test('hosts are compared as written: a wildcard does not meet the host it covers; objects without namespace are in "default"', () => {
    expect(conflicts([se('a', undefined, [{ number: 80, protocol: 'HTTP' }], { hosts: ['*.example.com'] }), se('b', undefined, [{ number: 80, protocol: 'TCP' }], { hosts: ['api.example.com'] })])).toEqual([]);
    const fs = conflicts([se('a', undefined, [{ number: 80, protocol: 'HTTP' }]), se('b', undefined, [{ number: 80, protocol: 'TLS' }])]);
    expect(fs.map(f => f.message)).toEqual(Array(2).fill('IST0177 Multiple ServiceEntries (default/a, default/b) define the same host "example.com" and port 80 with conflicting protocols (HTTP, TLS).'));
  });
});
