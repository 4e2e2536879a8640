import * as fs from 'fs';
import { EgressGatewayTlsOrigination, GatewayApiEgressGateway, GatewayApiEgressTlsOrigination, SleepClient } from '../../src';
import { PROP_KEYS } from '../../src/private/prop-keys.generated';
import { chart } from '../support/util';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const generator: { generate(): string; OUT: string; COMMAND: string } = require('../../scripts/gen-prop-keys.js');

describe('src/private/prop-keys.generated.ts', () => {
  test('is what the generator writes from the interfaces today', () => {
    const stale = fs.readFileSync(generator.OUT, 'utf8') !== generator.generate();
    // a failure says which command fixes it
    expect(stale ? `src/private/prop-keys.generated.ts is stale: run \`${generator.COMMAND}\`` : 'up to date').toBe('up to date');
  });

  test('holds the inherited props of an interface first, then its own in declaration order', () => {
    const base = PROP_KEYS.GatewayTlsOriginationBaseProps;
    expect(base).toEqual(['host', 'credential', 'caCredential', 'name', 'httpPort', 'httpPortName', 'httpsPort', 'httpsPortName',
      'resolution', 'createServiceEntry', 'sni', 'subjectAltNames', 'loadBalancer', 'serviceEntryName', 'destinationRuleName', 'location']);
    expect(PROP_KEYS.EgressGatewayTlsOriginationProps.slice(0, base.length)).toEqual(base);
    expect(PROP_KEYS.EgressGatewayTlsOriginationProps.slice(base.length)).toEqual(['gateway', 'namespace', 'gatewayPort', 'gatewayPortName',
      'gatewayName', 'gatewayDestinationRuleName', 'subsetName', 'virtualServiceName', 'destinationRuleNamespace', 'exportTo', 'apiVersion']);
    expect(PROP_KEYS.GatewayApiEgressTlsOriginationProps.slice(base.length)).toEqual(['gateway', 'namespace', 'gatewayPort', 'meshRouteName',
      'forwardRouteName', 'referenceGrantName', 'destinationRuleNamespace', 'exportTo']);
    expect(PROP_KEYS.MutualTlsOriginationProps.slice(0, PROP_KEYS.TlsOriginationOptions.length)).toEqual(PROP_KEYS.TlsOriginationOptions);
  });

  test('lists structs only, and the cdk8s props the task app checks', () => {
    expect(Object.keys(PROP_KEYS).filter((k) => /^I[A-Z]/.test(k))).toEqual([]);
    expect(PROP_KEYS.ChartProps).toEqual(['namespace', 'labels', 'disableResourceNameHashes']);
  });
});

describe('the unknown-prop check follows the generated lists', () => {
  test('inherited props are known: a typo of one is named', () => {
    const gateway = new GatewayApiEgressGateway(chart(), 'egress');
    expect(() => new GatewayApiEgressTlsOrigination(chart(), 'o', { host: 'edition.cnn.com', gateway, httpsPortNam: 'tls' } as any))
      .toThrow(/GatewayApiEgressTlsOrigination: unknown prop 'httpsPortNam' \(did you mean 'httpsPortName'\?\)/);
    expect(() => new EgressGatewayTlsOrigination(chart(), 'o', { host: 'edition.cnn.com', loadBalancr: 'RANDOM' } as any))
      .toThrow(/EgressGatewayTlsOrigination: unknown prop 'loadBalancr' \(did you mean 'loadBalancer'\?\)/);
  });

  test('a prop of the other origination is unknown', () => {
    expect(() => new EgressGatewayTlsOrigination(chart(), 'o', { host: 'edition.cnn.com', meshRouteName: 'to-gateway' } as any))
      .toThrow(/EgressGatewayTlsOrigination: unknown prop 'meshRouteName'/);
  });

  test('the list of known props in a message is the interface\'s, in its order', () => {
    expect(() => new SleepClient(chart(), 'sleep', { zzzzzzzz: true } as any))
      .toThrow(`SleepClient: unknown prop 'zzzzzzzz' (known props: ${PROP_KEYS.SleepClientProps.map((k) => `'${k}'`).join(', ')})`);
  });
});
