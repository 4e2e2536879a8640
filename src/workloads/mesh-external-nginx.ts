import { ApiObject } from 'cdk8s';
import type { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { clusterScopedObject, kubeObject } from '../private/k8s-object';
import { located } from '../private/located-error';
import { CredentialPurpose, TlsCredential } from '../credentials/tls-credential';
import {
  checkProps, show, validateExportTo, validateHost, validateNamespace, validateObjectName, validatePinnedImage, validatePort,
  validateServiceName,
} from '../private/props';
import { PROP_KEYS } from '../private/prop-keys.generated';

/** Props of `MeshExternalNginx`. Every prop is optional: the defaults are the Istio task's. */
export interface MeshExternalNginxProps {
  /**
   * Namespace of the server, outside the mesh. Pinned by the construct, not taken from the chart.
   * @default 'mesh-external'
   */
  readonly namespace?: string;
  /**
   * Whether to emit the Namespace (labelled `istio-injection: disabled`).
   * @default true
   */
  readonly createNamespace?: boolean;
  /**
   * Name of the Service and the Deployment, and the `run` label of the pods: a Service name (a DNS-1035
   * label, at most 63 lowercase letters, digits or '-', starting with a letter).
   * @default 'my-nginx'
   */
  readonly name?: string;
  /**
   * Namespaces that see the Service (its `networking.istio.io/exportTo` annotation): `.`, `*`, `~` or
   * namespace names. The task keeps the server "outside the mesh" with `['.']`; a server reached through an
   * egress gateway must be visible from the gateway's namespace (`['.', 'istio-system']`). An empty list
   * emits no annotation: Istio's mesh-wide `defaultServiceExportTo` applies (every namespace unless configured),
   * as in Istio's egress-gateway task.
   * @default ['.']
   * @see https://istio.io/latest/docs/reference/config/annotations/#NetworkingExportTo
   */
  readonly exportTo?: string[];
  /**
   * Name of the ConfigMap holding `nginx.conf`.
   * @default 'nginx-configmap'
   */
  readonly configMapName?: string;
  /**
   * Port nginx listens on with TLS, and the Service port.
   * @default 443
   */
  readonly port?: number;
  /**
   * Cluster DNS domain, used to build `host`.
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
  /**
   * nginx `server_name`; the server certificate must be issued for it.
   * @default - the Service FQDN, `<name>.<namespace>.svc.<clusterDomain>`
   */
  readonly serverName?: string;
  /**
   * Server certificate and key (keys `tls.crt`, `tls.key`).
   * @default TlsCredential.fromExistingSecret('nginx-server-certs')
   */
  readonly serverCertificate?: TlsCredential;
  /**
   * CA certificate that client certificates must chain to.
   * @default TlsCredential.fromExistingSecret('nginx-ca-certs', { caCertificateKey: 'example.com.crt' })
   */
  readonly caCertificate?: TlsCredential;
  /**
   * Whether nginx requires and verifies client certificates (`ssl_verify_client on`).
   * @default true
   */
  readonly verifyClient?: boolean;
  /**
   * Container image, with a pinned tag or digest.
   * @default 'nginx:1.28.0'
   */
  readonly image?: string;
  /**
   * Number of pods.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * CPU and memory requests and limits of the nginx container.
   * @default - none, as in the Istio task (the namespace's LimitRange applies, if any)
   */
  readonly resources?: k8s.ResourceRequirements;
  /**
   * Security context of the nginx container. The official image starts as root (the master process
   * binds the port, creates `/var/cache/nginx/*_temp` and switches its workers to the `nginx` user), so
   * `runAsNonRoot` and `readOnlyRootFilesystem` cannot be true with it.
   * @default - `allowPrivilegeEscalation: false`, `privileged: false`, `runAsNonRoot: false`,
   * `readOnlyRootFilesystem: false`, all capabilities dropped but CHOWN, NET_BIND_SERVICE, SETGID and
   * SETUID, seccomp `RuntimeDefault`
   */
  readonly securityContext?: k8s.SecurityContext;
}

const PROPS = PROP_KEYS.MeshExternalNginxProps;

/**
 * An nginx server that requires mutual TLS, outside the mesh: the destination of Istio's mutual TLS
 * origination task.
 *
 * Emits the Namespace (child id `Namespace`, no sidecar injection), a ConfigMap with `nginx.conf`
 * (child id `ConfigMap`), a Service annotated `networking.istio.io/exportTo: "."` (prop `exportTo`) so the mesh
 * does not see it as a mesh service (child id `Service`), and a Deployment mounting the configuration and the
 * server and CA certificate Secrets (child id `Deployment`). Secrets given with `fromPem` are emitted
 * too (child ids `ServerCertificate`, `CaCertificate`).
 *
 * Wire it into `MutualTlsOrigination` through `host` and `port`.
 * @see https://istio.io/latest/docs/tasks/traffic-management/egress/egress-tls-origination/#deploy-a-mutual-tls-server
 */
export class MeshExternalNginx extends Construct {
  /** Fully qualified name of the Service: `<name>.<namespace>.svc.<clusterDomain>`. */
  public readonly host: string;
  /** The TLS port of the Service and the container. */
  public readonly port: number;
  /** Namespace of the server. */
  public readonly namespace: string;
  /** Name of the Service and the Deployment. */
  public readonly name: string;
  /** The generated `nginx.conf`. */
  public readonly nginxConf: string;
  /** The Namespace, when emitted. */
  public readonly namespaceObject?: ApiObject;
  /** The ConfigMap holding `nginx.conf`. */
  public readonly configMap: ApiObject;
  /** The Service. */
  public readonly service: ApiObject;
  /** The Deployment. */
  public readonly deployment: ApiObject;

  public constructor(scope: Construct, id: string, props: MeshExternalNginxProps = {}) {
    super(scope, id);
    try {
      props = checkProps('MeshExternalNginx', props, PROPS, { optional: true });
      const namespace = validateNamespace('namespace', props.namespace ?? 'mesh-external');
      const name = validateServiceName('name', props.name ?? 'my-nginx');
      const exportTo = props.exportTo === undefined || (Array.isArray(props.exportTo) && props.exportTo.length === 0)
        ? (props.exportTo ?? ['.'])
        : validateExportTo('exportTo', props.exportTo, { destinationRule: false, namespace });
      const configMapName = validateObjectName('configMapName', props.configMapName ?? 'nginx-configmap');
      const port = validatePort('port', props.port ?? 443);
      const clusterDomain = validateHost('clusterDomain', props.clusterDomain ?? 'cluster.local');
      const image = validatePinnedImage('image', props.image ?? 'nginx:1.28.0');
      const replicas = props.replicas ?? 1;
      if (!Number.isInteger(replicas) || replicas < 0) {
        throw new Error(`'replicas' must be a non-negative integer (got ${show(replicas)})`);
      }
      const verifyClient = props.verifyClient ?? true;
      for (const prop of ['verifyClient', 'createNamespace'] as const) {
        if (props[prop] !== undefined && typeof props[prop] !== 'boolean') {
          throw new Error(`'${prop}' must be true or false (got ${show(props[prop])})`);
        }
      }
      for (const prop of ['serverCertificate', 'caCertificate'] as const) {
        if (props[prop] !== undefined && !TlsCredential.isTlsCredential(props[prop])) {
          throw new Error(`'${prop}' must be made with TlsCredential.fromExistingSecret(), fromPem() or fromCertManager() (got ${show(props[prop])})`);
        }
      }
      if (!verifyClient && props.caCertificate !== undefined) {
        throw new Error(`'caCertificate' has no effect when 'verifyClient' is false (got secret ${show(props.caCertificate.secretName)}); remove it or verify clients`);
      }
      const host = `${name}.${namespace}.svc.${clusterDomain}`;
      const serverName = validateHost('serverName', props.serverName ?? host);
      const server = props.serverCertificate ?? TlsCredential.fromExistingSecret('nginx-server-certs');
      if (!server.hasKeyPair) {
        throw new Error(`'serverCertificate' must hold a certificate and a private key (got secret ${show(server.secretName)} with a CA certificate only)`);
      }
      const ca = verifyClient
        ? props.caCertificate ?? TlsCredential.fromExistingSecret('nginx-ca-certs', { caCertificateKey: 'example.com.crt' })
        : undefined;
      const emitted = (c: TlsCredential) => c.emitsSecret || c.issuedByCertManager;
      if (ca && server.secretName === ca.secretName && emitted(server) && emitted(ca)) {
        throw new Error(`'caCertificate' must name another Secret than 'serverCertificate' when both are emitted by this construct: the two objects would collide (both are ${show(ca.secretName)})`);
      }

      this.host = host;
      this.port = port;
      this.namespace = namespace;
      this.name = name;

      const labels = { run: name };
      const serverMount = '/etc/nginx-server-certs';
      const caMount = '/etc/nginx-ca-certs';
      this.nginxConf = renderNginxConf({
        port,
        serverName,
        certificate: `${serverMount}/${server.certificateKey}`,
        certificateKey: `${serverMount}/${server.privateKeyKey}`,
        clientCa: ca ? `${caMount}/${ca.caCertificateKey}` : undefined,
      });

      if (props.createNamespace ?? true) {
        this.namespaceObject = clusterScopedObject(this, 'Namespace', 'Namespace', {
          metadata: { name: namespace, labels: { 'istio-injection': 'disabled' } },
        });
      }
      server._bind(this, 'ServerCertificate', namespace, CredentialPurpose.SERVER);
      ca?._bind(this, 'CaCertificate', namespace, CredentialPurpose.CA);
      this.configMap = kubeObject(this, 'ConfigMap', 'ConfigMap', {
        metadata: { name: configMapName, namespace },
        data: { 'nginx.conf': this.nginxConf },
      });
      this.service = kubeObject(this, 'Service', 'Service', {
        metadata: {
          name,
          namespace,
          labels,
          // simulate an external service: by default not exported outside its own namespace
          ...(exportTo.length ? { annotations: { 'networking.istio.io/exportTo': exportTo.join(',') } } : {}),
        },
        spec: {
          ports: [{ port, protocol: 'TCP' }],
          selector: labels,
        },
      });
      const volumes = [
        { name: 'nginx-config', mountPath: '/etc/nginx', source: { configMap: { name: configMapName } } },
        { name: 'nginx-server-certs', mountPath: serverMount, source: { secret: { secretName: server.secretName } } },
        ...(ca ? [{ name: 'nginx-ca-certs', mountPath: caMount, source: { secret: { secretName: ca.secretName } } }] : []),
      ];
      this.deployment = kubeObject(this, 'Deployment', 'Deployment', {
        metadata: { name, namespace },
        spec: {
          selector: { matchLabels: labels },
          replicas,
          template: {
            metadata: { labels },
            spec: {
              securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
              containers: [{
                name,
                image,
                ports: [{ containerPort: port }],
                resources: props.resources,
                securityContext: props.securityContext ?? {
                  allowPrivilegeEscalation: false,
                  privileged: false,
                  runAsNonRoot: false,
                  readOnlyRootFilesystem: false,
                  capabilities: { drop: ['ALL'], add: ['CHOWN', 'NET_BIND_SERVICE', 'SETGID', 'SETUID'] },
                },
                volumeMounts: volumes.map((v) => ({ name: v.name, mountPath: v.mountPath, readOnly: true })),
              }],
              volumes: volumes.map((v) => ({ name: v.name, ...v.source })),
            },
          },
        },
      }, { userValues: props.resources !== undefined || props.securityContext !== undefined });
    } catch (e) {
      throw located(this, e);
    }
  }
}

interface NginxConfOptions {
  readonly port: number;
  readonly serverName: string;
  readonly certificate: string;
  readonly certificateKey: string;
  readonly clientCa?: string;
}

/** Renders nginx.conf in the layout of the Istio task. */
function renderNginxConf(o: NginxConfOptions): string {
  const clientVerification = o.clientCa
    ? [`    ssl_client_certificate ${o.clientCa};`, '    ssl_verify_client on;']
    : [];
  return [
    'events {',
    '}',
    '',
    'http {',
    "  log_format main '$remote_addr - $remote_user [$time_local]  $status '",
    "  '\"$request\" $body_bytes_sent \"$http_referer\" '",
    "  '\"$http_user_agent\" \"$http_x_forwarded_for\"';",
    '  access_log /var/log/nginx/access.log main;',
    '  error_log  /var/log/nginx/error.log;',
    '',
    '  server {',
    `    listen ${o.port} ssl;`,
    '',
    '    root /usr/share/nginx/html;',
    '    index index.html;',
    '',
    `    server_name ${o.serverName};`,
    `    ssl_certificate ${o.certificate};`,
    `    ssl_certificate_key ${o.certificateKey};`,
    ...clientVerification,
    '  }',
    '}',
    '',
  ].join('\n');
}
