import { Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { MeshExternalNginx, TlsCredential } from '../../src';
import { chart, maskSecretData, ofKind, one, testCertificates } from '../support/util';

let CERT: string;
let KEY: string;
let CA: string;
beforeAll(async () => {
  const certs = await testCertificates();
  [CERT, KEY, CA] = [certs.server.cert, certs.server.key, certs.ca.cert];
});

describe('MeshExternalNginx', () => {
  test('defaults are the Istio task', () => {
    // GIVEN
    const c = chart();
    // WHEN
    const nginx = new MeshExternalNginx(c, 'nginx');
    // THEN
    expect([nginx.host, nginx.port, nginx.namespace, nginx.name])
      .toEqual(['my-nginx.mesh-external.svc.cluster.local', 443, 'mesh-external', 'my-nginx']);
    expect(one(c, 'Namespace').metadata).toEqual({ name: 'mesh-external', labels: { 'istio-injection': 'disabled' } });
    const svc = one(c, 'Service');
    expect(svc.metadata).toEqual({
      name: 'my-nginx', namespace: 'mesh-external', labels: { run: 'my-nginx' },
      annotations: { 'networking.istio.io/exportTo': '.' },
    });
    expect(svc.spec).toEqual({ ports: [{ port: 443, protocol: 'TCP' }], selector: { run: 'my-nginx' } });
    const pod = one(c, 'Deployment').spec.template.spec;
    const container = pod.containers[0];
    expect(container.image).toBe('nginx:1.28.0');
    expect(container.ports).toEqual([{ containerPort: 443 }]);
    expect(container.volumeMounts).toEqual([
      { name: 'nginx-config', mountPath: '/etc/nginx', readOnly: true },
      { name: 'nginx-server-certs', mountPath: '/etc/nginx-server-certs', readOnly: true },
      { name: 'nginx-ca-certs', mountPath: '/etc/nginx-ca-certs', readOnly: true },
    ]);
    expect(pod.volumes).toEqual([
      { name: 'nginx-config', configMap: { name: 'nginx-configmap' } },
      { name: 'nginx-server-certs', secret: { secretName: 'nginx-server-certs' } },
      { name: 'nginx-ca-certs', secret: { secretName: 'nginx-ca-certs' } },
    ]);
    // the official image starts as root: runAsNonRoot and a read-only root filesystem would stop it
    expect(container.securityContext).toMatchObject({ runAsNonRoot: false, readOnlyRootFilesystem: false, allowPrivilegeEscalation: false });
    expect(container.resources).toBeUndefined();
    const conf = one(c, 'ConfigMap').data['nginx.conf'];
    expect(conf).toContain('    listen 443 ssl;\n');
    expect(conf).toContain('    server_name my-nginx.mesh-external.svc.cluster.local;\n');
    expect(conf).toContain('    ssl_client_certificate /etc/nginx-ca-certs/example.com.crt;\n    ssl_verify_client on;\n');
    expect(ofKind(c, 'Secret')).toEqual([]);
    expect(Testing.synth(c)).toMatchSnapshot();
  });

  test('fully configured', () => {
    // GIVEN
    const c = chart({ namespace: 'ignored-by-nginx' });
    // WHEN
    const nginx = new MeshExternalNginx(c, 'nginx', {
      namespace: 'edge-ext',
      name: 'tls-echo',
      configMapName: 'tls-echo-conf',
      port: 8443,
      clusterDomain: 'corp.internal',
      serverCertificate: TlsCredential.fromPem({ secretName: 'tls-echo-server', certificate: CERT, privateKey: KEY }),
      caCertificate: TlsCredential.fromPem({ secretName: 'tls-echo-ca', caCertificate: CA }),
      image: 'nginx:1.27.5',
      replicas: 2,
      resources: { limits: { memory: k8s.Quantity.fromString('64Mi') } },
    });
    // THEN
    expect(nginx.host).toBe('tls-echo.edge-ext.svc.corp.internal');
    expect(nginx.port).toBe(8443);
    for (const o of Testing.synth(c).filter((x) => x.kind !== 'Namespace')) expect(o.metadata.namespace).toBe('edge-ext');
    // a Namespace is cluster-scoped: the chart's namespace must not be stamped on it
    expect(one(c, 'Namespace').metadata).toEqual({ name: 'edge-ext', labels: { 'istio-injection': 'disabled' } });
    expect(one(c, 'Service').spec.ports).toEqual([{ port: 8443, protocol: 'TCP' }]);
    expect(one(c, 'Deployment').spec.replicas).toBe(2);
    expect(one(c, 'Deployment').spec.template.spec.containers[0].resources).toEqual({ limits: { memory: '64Mi' } });
    expect(one(c, 'Deployment').spec.template.spec.containers[0].ports).toEqual([{ containerPort: 8443 }]);
    const conf = one(c, 'ConfigMap').data['nginx.conf'];
    expect(conf).toContain('listen 8443 ssl;');
    expect(conf).toContain('server_name tls-echo.edge-ext.svc.corp.internal;');
    expect(conf).toContain('ssl_client_certificate /etc/nginx-ca-certs/ca.crt;');
    expect(ofKind(c, 'Secret').map((s) => [s.metadata.name, s.type, Object.keys(s.data).sort()])).toEqual([
      ['tls-echo-server', 'kubernetes.io/tls', ['tls.crt', 'tls.key']],
      ['tls-echo-ca', 'Opaque', ['ca.crt']],
    ]);
    expect(maskSecretData(Testing.synth(c))).toMatchSnapshot();
  });

  test('verifyClient: false drops the CA', () => {
    const c = chart();
    new MeshExternalNginx(c, 'nginx', { verifyClient: false });
    const conf = one(c, 'ConfigMap').data['nginx.conf'];
    expect(conf).not.toContain('ssl_verify_client');
    expect(one(c, 'Deployment').spec.template.spec.volumes.map((v: any) => v.name)).toEqual(['nginx-config', 'nginx-server-certs']);
  });

  test('the CA may come from the ca.crt of the Secret cert-manager issues for the server', () => {
    const c = chart();
    new MeshExternalNginx(c, 'nginx', {
      serverCertificate: TlsCredential.fromCertManager({ secretName: 'nginx-tls', issuerName: 'example-ca', dnsNames: ['my-nginx.mesh-external.svc.cluster.local'] }),
      caCertificate: TlsCredential.fromExistingSecret('nginx-tls'),
    });
    expect(one(c, 'Certificate').spec.usages).toEqual(['digital signature', 'key encipherment', 'server auth']);
    expect(one(c, 'ConfigMap').data['nginx.conf']).toContain('ssl_client_certificate /etc/nginx-ca-certs/ca.crt;');
  });

  test('createNamespace: false emits no Namespace', () => {
    const c = chart();
    new MeshExternalNginx(c, 'nginx', { createNamespace: false });
    expect(ofKind(c, 'Namespace')).toEqual([]);
  });

  describe('bad input', () => {
    test.each([
      ['an unpinned image', { image: 'nginx' }, /'image' must pin a tag or digest other than "latest".*\(got "nginx"\)/],
      ['the latest tag', { image: 'docker.io/library/nginx:latest' }, /'image' must pin a tag/],
      // issue 14: a tag outside the OCI grammar is no pinned image (the kubelet refuses it: InvalidImageName)
      ['a tag the kubelet refuses', { image: 'nginx:1.a;b' }, /'image' must be a container image reference .*the kubelet refuses this one: .*\(got "nginx:1\.a;b"\)/],
      ['an upper-case repository', { image: 'Nginx:1.28.0' }, /'image' must be a container image reference/],
      ['an invalid namespace', { namespace: 'Mesh_External' }, /'namespace' must be a Kubernetes namespace name.*\(got "Mesh_External"\)/],
      ['an invalid name', { name: 'my.nginx' }, /'name' must be a Service name \(a DNS-1035 label\).*\(got "my.nginx"\)/],
      ['an invalid port', { port: 0 }, /'port' must be an integer from 1 to 65535 \(got 0\)/],
      ['an invalid serverName', { serverName: 'https://my-nginx' }, /'serverName' must be a host name, not a URL/],
      ['negative replicas', { replicas: -1 }, /'replicas' must be a non-negative integer \(got -1\)/],
      ['a CA-only server certificate', () => ({ serverCertificate: TlsCredential.fromPem({ secretName: 's', caCertificate: CA }) }), /'serverCertificate' must hold a certificate and a private key/],
      ['one Secret name for two emitted Secrets', () => ({
        serverCertificate: TlsCredential.fromPem({ secretName: 'nginx-tls', certificate: CERT, privateKey: KEY }),
        caCertificate: TlsCredential.fromPem({ secretName: 'nginx-tls', caCertificate: CA }),
      }), /'caCertificate' must name another Secret than 'serverCertificate' when both are emitted by this construct: the two objects would collide \(both are "nginx-tls"\)/],
      ['a CA without client verification', { verifyClient: false, caCertificate: TlsCredential.fromExistingSecret('ca') }, /'caCertificate' has no effect when 'verifyClient' is false/],
    ])('fails when given %s', (_what, props, message) => {
      const p = typeof props === 'function' ? props() : props;
      expect(() => new MeshExternalNginx(chart(), 'x', p as any)).toThrow(message);
    });
  });
});

describe('MeshExternalNginx exportTo', () => {
  const service = (props: object) => {
    const c = Testing.chart();
    new MeshExternalNginx(c, 'n', props);
    return Testing.synth(c).find((o) => o.kind === 'Service');
  };
  test('defaults to the task\'s "." and joins a list for the annotation', () => {
    expect(service({}).metadata.annotations).toEqual({ 'networking.istio.io/exportTo': '.' });
    expect(service({ exportTo: ['.', 'istio-system'] }).metadata.annotations).toEqual({ 'networking.istio.io/exportTo': '.,istio-system' });
  });
  test('an empty list emits no annotation (the mesh-wide default, as in the egress gateway task)', () => {
    expect(service({ exportTo: [] }).metadata.annotations).toBeUndefined();
  });
  test.each([
    [['*', '.'], /'exportTo' must not combine '\*' or '~' with other entries/],
    [['.', 'mesh-external'], /'exportTo' must not list both '.' and the own namespace "mesh-external"/],
    [['Istio-System'], /'exportTo\[0\]' must be a Kubernetes namespace name/],
  ])('fails when exportTo is %j', (exportTo, message) => {
    expect(() => new MeshExternalNginx(Testing.chart(), 'n', { exportTo })).toThrow(message);
  });
});
