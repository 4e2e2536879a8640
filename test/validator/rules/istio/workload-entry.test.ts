// Istio's webhook rules for WorkloadEntry (istio/workload-entry, src/validator/rules/istio/workload-entry.ts).
import { expectClean, expectFinding, istioFindings, object } from '../../../support/istio-kinds';

const we = (spec: any) => object('WorkloadEntry', spec);

describe('WorkloadEntry (ValidateWorkloadEntry)', () => {
  test.each(['10.0.0.7', '2001:db8::7', 'vm1.example.com', 'unix:///var/run/app.sock', 'unix://@abstract'])('accepts address %s', (address) => {
    expectClean(we({ address, labels: { app: 'vm' }, ...(address.startsWith('unix') ? {} : { ports: { http: 8080 } }) }));
  });

  test('fails without address or network, warns with network only', () => {
    expectFinding(we({}), 'istio/workload-entry', 'address is required');
    expectFinding(we({ network: 'net2' }), 'istio/workload-entry', 'address is unset with network "net2"', 'warning');
  });

  test('fails on a host:port address and on a relative unix path with ports', () => {
    const f = expectFinding(we({ address: 'vm1.example.com:9443' }), 'istio/workload-entry', 'endpoint address "vm1.example.com:9443" is not a valid FQDN or an IP address');
    expect(f.field).toBe('spec.address');
    expectFinding(we({ address: 'unix://relative/sock', ports: { http: 80 } }), 'istio/workload-entry', 'relative/sock is not an absolute path to a file');
    expectFinding(we({ address: 'unix://relative/sock', ports: { http: 80 } }), 'istio/workload-entry', 'unix endpoint unix://relative/sock must not include ports');
  });

  test('fails on a bad port name and a bad label', () => {
    expectFinding(we({ address: '10.0.0.7', ports: { 'bad_name': 80 } }), 'istio/workload-entry', 'invalid port name: bad_name');
    expectFinding(we({ address: '10.0.0.7', labels: { app: 'bad value' } }), 'istio/workload-entry', 'invalid tag value: "bad value"');
  });

  test('does not check ports against ServiceEntries (Istio does not)', () => {
    expect(istioFindings(we({ address: '10.0.0.7', ports: { anything: 1234 } }))).toEqual([]);
  });
});
