import { validateManifests } from '../../../../src/validator';

const NET = 'networking.istio.io/v1';

/** The Istio egress-gateway task in namespace shop, gateway installed out of band in istio-system; `exportTo` on the three objects of the issue. */
function istioTask(exportTo: string[] | undefined, gatewayPods = false): any[] {
  const spec = (s: any) => (exportTo ? { ...s, exportTo } : s);
  return [
    { apiVersion: NET, kind: 'ServiceEntry', metadata: { name: 'cnn', namespace: 'shop' }, spec: spec({ hosts: ['edition.cnn.com'], ports: [{ number: 80, name: 'http', protocol: 'HTTP' }, { number: 443, name: 'https', protocol: 'HTTPS' }], resolution: 'DNS' }) },
    { apiVersion: NET, kind: 'Gateway', metadata: { name: 'istio-egressgateway', namespace: 'shop' }, spec: { selector: { istio: 'egressgateway' }, servers: [{ port: { number: 80, name: 'https', protocol: 'HTTPS' }, hosts: ['edition.cnn.com'], tls: { mode: 'ISTIO_MUTUAL' } }] } },
    { apiVersion: NET, kind: 'DestinationRule', metadata: { name: 'egressgateway-for-cnn', namespace: 'shop' }, spec: spec({ host: 'istio-egressgateway.istio-system.svc.cluster.local', subsets: [{ name: 'cnn', trafficPolicy: { portLevelSettings: [{ port: { number: 80 }, tls: { mode: 'ISTIO_MUTUAL', sni: 'edition.cnn.com' } }] } }] }) },
    { apiVersion: NET, kind: 'VirtualService', metadata: { name: 'direct-cnn', namespace: 'shop' }, spec: spec({
      hosts: ['edition.cnn.com'], gateways: ['istio-egressgateway', 'mesh'],
      http: [
        { match: [{ gateways: ['mesh'], port: 80 }], route: [{ destination: { host: 'istio-egressgateway.istio-system.svc.cluster.local', subset: 'cnn', port: { number: 80 } } }] },
        { match: [{ gateways: ['istio-egressgateway'], port: 80 }], route: [{ destination: { host: 'edition.cnn.com', port: { number: 443 } } }] },
      ],
    }) },
    { apiVersion: NET, kind: 'DestinationRule', metadata: { name: 'originate-tls-for-cnn', namespace: 'shop' }, spec: { host: 'edition.cnn.com', trafficPolicy: { portLevelSettings: [{ port: { number: 443 }, tls: { mode: 'SIMPLE' } }] } } },
    ...(gatewayPods ? [{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'egress', namespace: 'egress' }, spec: { selector: { matchLabels: { istio: 'egressgateway' } }, template: { metadata: { labels: { istio: 'egressgateway' } }, spec: { containers: [{ name: 'istio-proxy', image: 'auto' }] } } } }] : []),
  ];
}

function findings(objects: any[], rule = 'wiring/gateway-export-to'): Array<[string, string, string]> {
  return validateManifests(objects).findings.filter((f) => f.ruleId === rule).map((f) => [f.severity, `${f.object.kind}/${f.object.name}`, f.message]);
}

describe('wiring/gateway-export-to', () => {
  test('fails on the exact hand-written fix of the issue: exportTo ["."] hides the VirtualService and the ServiceEntry from the gateway in istio-system', () => {
    expect(findings(istioTask(['.']))).toEqual([
      ['error', 'VirtualService/direct-cnn', 'VirtualService shop/direct-cnn is bound to Gateway shop/istio-egressgateway, whose proxy runs in "istio-system" (the namespace of istio-egressgateway.istio-system.svc.cluster.local, where this VirtualService sends the sidecars\' traffic): exportTo ["."] hides it from "istio-system", so the gateway never loads these routes and answers 404 (istio/istio#35430)'],
      ['error', 'ServiceEntry/cnn', 'ServiceEntry shop/cnn defines edition.cnn.com, which VirtualService shop/direct-cnn routes to from Gateway shop/istio-egressgateway, whose proxy runs in "istio-system" (the namespace of istio-egressgateway.istio-system.svc.cluster.local, where this VirtualService sends the sidecars\' traffic): exportTo ["."] hides it from "istio-system", so the gateway has no cluster for edition.cnn.com and answers 503 (istio/istio#35430)'],
    ]);
    const fix = validateManifests(istioTask(['.'])).findings.find((f) => f.ruleId === 'wiring/gateway-export-to')!.fix;
    expect(fix).toBe('Add "istio-system" to exportTo (e.g. [".", "istio-system"]), or remove exportTo.');
  });

  test.each([[['.', 'istio-system']], [['*']], [undefined]])('passes with exportTo %j', (exportTo) => {
    expect(findings(istioTask(exportTo))).toEqual([]);
  });

  test('the namespace of gateway pods of the output wins', () => {
    expect(findings(istioTask(['.', 'istio-system'], true)).map(([s, o, m]) => [s, o, m.match(/runs in "[^"]+" \([^)]*\)/)?.[0]])).toEqual([
      ['error', 'VirtualService/direct-cnn', 'runs in "egress" (where its pods run)'],
      ['error', 'ServiceEntry/cnn', 'runs in "egress" (where its pods run)'],
    ]);
  });

  test('warns when the namespace of the gateway is not known from the input', () => {
    // GIVEN a VirtualService bound to a gateway only (no route from the sidecars says where the gateway runs)
    const objects = istioTask(['.']).map((o) => (o.kind === 'VirtualService' ? { ...o, spec: { ...o.spec, gateways: ['istio-egressgateway'], http: [o.spec.http[1]] } } : o));
    const f = findings(objects);
    expect(f.map(([s, o]) => [s, o])).toEqual([['warning', 'VirtualService/direct-cnn'], ['warning', 'ServiceEntry/cnn']]);
    expect(f[0][2]).toMatch(/^could not check where the gateway's proxy runs \(its pods are not in the output, and no route says it\); if in "istio-system": VirtualService shop\/direct-cnn is bound to Gateway shop\/istio-egressgateway/);
  });

  const gatewayApi = (seExportTo: string[] | undefined, drExportTo: string[] | undefined, withGateway = true): any[] => [
    ...(withGateway ? [{ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'egress', namespace: 'istio-egress' }, spec: { gatewayClassName: 'istio', listeners: [{ name: 'https', port: 80, protocol: 'HTTPS', tls: { mode: 'Terminate', options: { 'gateway.istio.io/tls-terminate-mode': 'ISTIO_MUTUAL' } } }] } }] : []),
    { apiVersion: NET, kind: 'ServiceEntry', metadata: { name: 'cnn', namespace: 'shop' }, spec: { hosts: ['edition.cnn.com'], ports: [{ number: 80, name: 'http', protocol: 'HTTP' }, { number: 443, name: 'https', protocol: 'HTTPS' }], resolution: 'DNS', ...(seExportTo ? { exportTo: seExportTo } : {}) } },
    { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'forward-cnn', namespace: 'istio-egress' }, spec: { parentRefs: [{ name: 'egress' }], hostnames: ['edition.cnn.com'], rules: [{ backendRefs: [{ kind: 'Hostname', group: 'networking.istio.io', name: 'edition.cnn.com', port: 443 }] }] } },
    { apiVersion: NET, kind: 'DestinationRule', metadata: { name: 'originate-tls-for-cnn', namespace: 'shop' }, spec: { host: 'edition.cnn.com', ...(drExportTo ? { exportTo: drExportTo } : {}), trafficPolicy: { portLevelSettings: [{ port: { number: 443 }, tls: { mode: 'SIMPLE' } }] } } },
  ];

  test('Gateway API: fails when exportTo hides the ServiceEntry or the originating DestinationRule from the Gateway\'s namespace', () => {
    expect(findings(gatewayApi(['.'], ['.']))).toEqual([
      ['error', 'ServiceEntry/cnn', 'ServiceEntry shop/cnn defines edition.cnn.com, which HTTPRoute istio-egress/forward-cnn sends to from Gateway istio-egress/egress, whose proxy Istio runs in "istio-egress": exportTo ["."] hides it from "istio-egress", so the gateway has no cluster for edition.cnn.com and answers 500 or 503 (istio/istio#35430)'],
      ['error', 'DestinationRule/originate-tls-for-cnn', 'DestinationRule shop/originate-tls-for-cnn originates TLS for edition.cnn.com, which HTTPRoute istio-egress/forward-cnn sends to from Gateway istio-egress/egress, whose proxy Istio runs in "istio-egress": exportTo ["."] hides it from "istio-egress", so the gateway sends plaintext to edition.cnn.com'],
    ]);
  });

  test('Gateway API: passes when both are exported to the gateway namespace; warns when the Gateway is not in the output', () => {
    expect(findings(gatewayApi(['.', 'istio-egress'], ['.', 'istio-egress']))).toEqual([]);
    expect(findings(gatewayApi(['.'], undefined, false)).map(([s, o]) => [s, o])).toEqual([['warning', 'ServiceEntry/cnn']]);
  });
});

describe('wiring/reference-grant', () => {
  const route = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'to-gw', namespace: 'shop' }, spec: { parentRefs: [{ kind: 'ServiceEntry', group: 'networking.istio.io', name: 'cnn' }], rules: [{ backendRefs: [{ name: 'egress-istio', namespace: 'istio-egress', port: 80 }] }] } };
  const grant = { apiVersion: 'gateway.networking.k8s.io/v1beta1', kind: 'ReferenceGrant', metadata: { name: 'g', namespace: 'istio-egress' }, spec: { from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'shop' }], to: [{ group: '', kind: 'Service', name: 'egress-istio' }] } };

  test('fails when the ReferenceGrants of the target namespace in the input do not let the route reach its Service', () => {
    // GIVEN a grant in istio-egress for HTTPRoutes of another namespace only
    const other = { ...grant, metadata: { name: 'for-other', namespace: 'istio-egress' }, spec: { ...grant.spec, from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'other' }] } };
    expect(findings([route, other], 'wiring/reference-grant')).toEqual([[
      'error', 'HTTPRoute/to-gw', 'backend Service istio-egress/egress-istio is in another namespace and no ReferenceGrant of the output allows HTTPRoutes of "shop" to reference it (ReferenceGrants in "istio-egress": for-other): Istio ignores the backend (ResolvedRefs: RefNotPermitted) and the requests get 500',
    ]]);
  });

  test('warns (could not check) when the input holds no ReferenceGrant in the target namespace: its owner may apply it', () => {
    const elsewhere = { ...grant, metadata: { name: 'g', namespace: 'shop' } };
    for (const objects of [[route], [route, elsewhere]]) {
      expect(findings(objects, 'wiring/reference-grant')).toEqual([[
        'warning', 'HTTPRoute/to-gw', 'could not check that HTTPRoutes of "shop" may reference backend Service istio-egress/egress-istio: the ReferenceGrant is not in the input (none in namespace "istio-egress"), so it must be applied from elsewhere (by the owner of "istio-egress"); without one Istio ignores the backend (ResolvedRefs: RefNotPermitted) and the requests get 500',
      ]]);
    }
  });

  test('passes with the grant', () => {
    expect(findings([route, grant], 'wiring/reference-grant')).toEqual([]);
  });
});
