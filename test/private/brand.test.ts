import * as cdk8s from 'cdk8s';
import { Testing } from 'cdk8s';
import * as constructs from 'constructs';
import {
  AmbientEgressTlsOrigination, EgressGateway, EgressGatewayTlsOrigination, EgressTlsOrigination, EgressWaypoint, GatewayApiEgressGateway,
  GatewayApiEgressTlsOrigination, MeshExternalNginx, MeshWorkload, MutualTlsOrigination, TlsCredential,
} from '../../src';
import type { CertificateBundle } from '../../src/certificates';
import { chart, ofKind, one, testCertificates } from '../support/util';

// A user can end up with two copies of this package (two versions in node_modules, each with its own classes)
// and one cdk8s and constructs (peer dependencies). The second copy is loaded here for real: every module of
// src/ is evaluated again in a fresh registry, so its classes are other objects and `instanceof` is false.
type Package = typeof import('../../src');
function loadSecondCopy(): Package {
  let copy: Package | undefined;
  jest.isolateModules(() => {
    jest.doMock('cdk8s', () => cdk8s);
    jest.doMock('constructs', () => constructs);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    copy = require('../../src');
  });
  jest.dontMock('cdk8s');
  jest.dontMock('constructs');
  return copy!;
}

let other: Package;
let certs: CertificateBundle;
beforeAll(async () => {
  other = loadSecondCopy();
  certs = await testCertificates();
});

describe('the second copy is a real one', () => {
  test('its classes are other objects: instanceof is false, the brand checks of either copy are true', () => {
    // GIVEN a credential and gateways made by the second copy
    const credential = other.TlsCredential.fromExistingSecret('client-credential');
    const gateway = other.EgressGateway.fromAttributes();
    const c = chart();
    const gatewayApi = new other.GatewayApiEgressGateway(c, 'egress');
    const waypoint = new other.EgressWaypoint(c, 'waypoint');
    // THEN
    expect(other.TlsCredential).not.toBe(TlsCredential);
    expect(credential instanceof TlsCredential).toBe(false);
    expect(gateway instanceof EgressGateway).toBe(false);
    expect(gatewayApi instanceof GatewayApiEgressGateway).toBe(false);
    expect(waypoint instanceof EgressWaypoint).toBe(false);
    expect([TlsCredential.isTlsCredential(credential), other.TlsCredential.isTlsCredential(TlsCredential.fromExistingSecret('x'))]).toEqual([true, true]);
    expect(EgressGateway.isEgressGateway(gateway)).toBe(true);
    expect(GatewayApiEgressGateway.isGatewayApiEgressGateway(gatewayApi)).toBe(true);
    expect(EgressWaypoint.isEgressWaypoint(waypoint)).toBe(true);
  });

  test('the brand is not enumerable: keys and JSON of a credential are those of today', () => {
    const credential = TlsCredential.fromExistingSecret('client-credential');
    expect(Object.keys(credential)).not.toContainEqual(expect.stringContaining('cdk8s-istio-egress'));
    expect(Object.getOwnPropertySymbols(credential).map(String)).toEqual(['Symbol(cdk8s-istio-egress.TlsCredential)']);
    expect(JSON.stringify(credential)).not.toContain('cdk8s-istio-egress');
  });
});

describe('constructs accept what the second copy made', () => {
  test('EgressGatewayTlsOrigination: its EgressGateway and its fromPem credential (the Secret is emitted)', () => {
    // GIVEN
    const c = chart();
    const gateway = other.EgressGateway.fromAttributes({ namespace: 'egress', serviceName: 'egress-gw', podLabels: { istio: 'egress-gw' } });
    const credential = other.TlsCredential.fromPem({
      secretName: 'partner-cred', certificate: certs.client.cert, privateKey: certs.client.key, caCertificate: certs.ca.cert,
    });
    // WHEN
    const o = new EgressGatewayTlsOrigination(c, 'nginx', { host: 'partner.example.com', gateway, credential });
    // THEN the origination goes through that gateway with that credential
    expect(o.gateway).toBe(gateway);
    const objects = Testing.synth(c);
    const dr = objects.find((x) => x.kind === 'DestinationRule' && x.metadata.name === 'originate-mtls-for-partner-example-com');
    expect(dr.metadata.namespace).toBe('egress');
    expect(dr.spec.trafficPolicy.portLevelSettings[0].tls).toEqual({ mode: 'MUTUAL', credentialName: 'partner-cred', sni: 'partner.example.com' });
    const secret = objects.find((x) => x.kind === 'Secret');
    expect(secret.metadata).toEqual(expect.objectContaining({ name: 'partner-cred', namespace: 'egress' }));
    expect(ofKind(c, 'Gateway')[0].spec.selector).toEqual({ istio: 'egress-gw' });
  });

  test('GatewayApiEgressTlsOrigination: its GatewayApiEgressGateway and its CA credential', () => {
    // GIVEN
    const c = chart({ namespace: 'shop' });
    const gateway = new other.GatewayApiEgressGateway(c, 'egress', { namespace: 'istio-egress' });
    // WHEN
    new GatewayApiEgressTlsOrigination(c, 'cnn', {
      host: 'edition.cnn.com', gateway, caCredential: other.TlsCredential.fromExistingSecret('cnn-ca'),
    });
    // THEN the forward route hangs on that gateway, and the originating DestinationRule uses the CA Secret
    const objects = Testing.synth(c);
    const forward = objects.find((x) => x.kind === 'HTTPRoute' && x.metadata.namespace === 'istio-egress');
    expect(forward.spec.parentRefs).toEqual([{ name: 'egress' }]);
    const dr = objects.find((x) => x.kind === 'DestinationRule' && x.spec.host === 'edition.cnn.com');
    expect(dr.spec.trafficPolicy.portLevelSettings[0].tls).toEqual({ mode: 'SIMPLE', credentialName: 'cnn-ca' });
  });

  test('AmbientEgressTlsOrigination: its EgressWaypoint', () => {
    const c = chart();
    const waypoint = new other.EgressWaypoint(c, 'wp', { namespace: 'egress' });
    new AmbientEgressTlsOrigination(c, 'api', { host: 'api.example.com', waypoint });
    expect(one(c, 'ServiceEntry').metadata.namespace).toBe('egress');
  });

  test('MutualTlsOrigination, EgressTlsOrigination and MeshExternalNginx: its credentials', () => {
    const c = chart();
    const client = MeshWorkload.fromAttributes({ serviceAccountName: 'sleep', podLabels: { app: 'sleep' } });
    new MutualTlsOrigination(c, 'mtls', { host: 'partner.example.com', client, credential: other.TlsCredential.fromExistingSecret('client-credential') });
    new EgressTlsOrigination(c, 'tls', { host: 'edition.cnn.com', caCredential: other.TlsCredential.fromExistingSecret('cnn-ca'), client });
    new MeshExternalNginx(c, 'nginx', {
      serverCertificate: other.TlsCredential.fromExistingSecret('server-certs'), caCertificate: other.TlsCredential.fromExistingSecret('ca-certs'),
    });
    const credentialNames = ofKind(c, 'DestinationRule').map((d) => d.spec.trafficPolicy.portLevelSettings[0].tls.credentialName).sort();
    expect(credentialNames).toEqual(['client-credential', 'cnn-ca']);
    const volumes = ofKind(c, 'Deployment')[0].spec.template.spec.volumes.map((v: any) => v.secret?.secretName).filter(Boolean).sort();
    expect(volumes).toEqual(['ca-certs', 'server-certs']);
  });
});

describe('look-alikes are refused with the messages of today', () => {
  // an object with the same fields, and one with the class's prototype but not made by the class
  const fakeCredential = { secretName: 'client-credential', hasKeyPair: true, _bind: () => undefined };
  const protoCredential = Object.create(TlsCredential.prototype);

  test.each([
    ['a plain credential', () => new EgressGatewayTlsOrigination(chart(), 'o', { host: 'edition.cnn.com', credential: fakeCredential as any }),
      /'credential' must be made with TlsCredential\.fromExistingSecret\(\), fromPem\(\) or fromCertManager\(\) \(got an object with keys secretName, hasKeyPair, _bind\)/],
    ['a credential on the prototype', () => new EgressGatewayTlsOrigination(chart(), 'o', { host: 'edition.cnn.com', caCredential: protoCredential }),
      /'caCredential' must be made with TlsCredential\.fromExistingSecret\(\), fromPem\(\) or fromCertManager\(\) \(got a TlsCredential\)/],
    ['a plain credential (sidecar)', () => new MutualTlsOrigination(chart(), 'o', {
      host: 'partner.example.com', client: MeshWorkload.fromAttributes({ serviceAccountName: 'a', podLabels: { app: 'a' } }), credential: fakeCredential as any,
    }), /'credential' must be made with TlsCredential\.fromExistingSecret\(\) or TlsCredential\.fromPem\(\) \(got an object with keys secretName, hasKeyPair, _bind\)/],
    ['a plain CA credential (sidecar)', () => new EgressTlsOrigination(chart(), 'o', { host: 'edition.cnn.com', caCredential: fakeCredential as any }),
      /'caCredential' must be made with TlsCredential\.fromExistingSecret\(\), fromPem\(\) or fromCertManager\(\)/],
    ['a plain server certificate', () => new MeshExternalNginx(chart(), 'n', { serverCertificate: fakeCredential as any }),
      /'serverCertificate' must be made with TlsCredential\.fromExistingSecret\(\), fromPem\(\) or fromCertManager\(\)/],
    ['a plain Istio egress gateway', () => new EgressGatewayTlsOrigination(chart(), 'o', {
      host: 'edition.cnn.com', gateway: { namespace: 'istio-system', host: 'istio-egressgateway.istio-system.svc.cluster.local' } as any,
    }), /'gateway' must be made with EgressGateway\.fromAttributes\(\) \(got an object with keys namespace, host\)/],
    ['a plain Gateway API gateway', () => new GatewayApiEgressTlsOrigination(chart(), 'o', {
      host: 'edition.cnn.com', gateway: { name: 'egress', namespace: 'default', listeners: [] } as any,
    }), /'gateway' must be a GatewayApiEgressGateway \(got an object with keys name, namespace, listeners\)/],
    ['an Istio gateway where a Gateway API one goes', () => new GatewayApiEgressTlsOrigination(chart(), 'o', {
      host: 'edition.cnn.com', gateway: other.EgressGateway.fromAttributes() as any,
    }), /'gateway' must be a GatewayApiEgressGateway \(got an EgressGateway\)/],
    ['a plain waypoint', () => new AmbientEgressTlsOrigination(chart(), 'o', { host: 'api.example.com', waypoint: { namespace: 'istio-egress', name: 'waypoint' } as any }),
      /'waypoint' must be an EgressWaypoint \(got an object with keys namespace, name\)/],
  ])('fails when given %s', (_what, make, message) => {
    expect(make).toThrow(message);
  });

  test('the is-checks are false for primitives, null, plain objects and a Proxy whose traps throw', () => {
    const hostile = new Proxy({}, { has: () => { throw new Error('trap'); }, get: () => { throw new Error('trap'); } });
    for (const x of [undefined, null, 0, 'TlsCredential', {}, [], hostile, TlsCredential, fakeCredential, protoCredential]) {
      expect(TlsCredential.isTlsCredential(x)).toBe(false);
    }
    expect([EgressGateway.isEgressGateway(TlsCredential.fromExistingSecret('x')), EgressWaypoint.isEgressWaypoint(hostile),
      GatewayApiEgressGateway.isGatewayApiEgressGateway(EgressGateway.fromAttributes())]).toEqual([false, false, false]);
  });
});
