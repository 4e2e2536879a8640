import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { EgressPath, IEgressOrigination, sidecarEgressPath } from '../core/egress-path';
import { LoadBalancer, TlsMode } from '../core/istio';
import { kubeObject } from '../private/k8s-object';
import { located } from '../private/located-error';
import { IMeshWorkload } from '../workloads/mesh-workload';
import { CredentialPurpose, TlsCredential } from '../credentials/tls-credential';
import { REMOTE_CLIENT_ANNOTATION } from '../common/annotations';
import {
  TlsOriginationOptions, emitOrigination, resolveOrigination, validateClient, validateFilePath,
  validateLoadBalancer, validateOriginationExportTo,
} from '../core/tls-origination';
import { checkProps, shortenName, show, validateObjectName } from '../private/props';
import { PROP_KEYS } from '../private/prop-keys.generated';

/** Props of `MutualTlsOrigination`. */
export interface MutualTlsOriginationProps extends TlsOriginationOptions {
  /**
   * The client certificate, key and CA certificate, as a Secret in the client's namespace (Istio's
   * `credentialName`). `TlsCredential.fromExistingSecret('client-credential')` refers to a Secret made
   * out of band; `TlsCredential.fromPem(...)` emits it (and puts the key in your manifests).
   *
   * Exactly one of `credential` or the file trio `clientCertificate` + `privateKey` (+ `caCertificates`)
   * must be given.
   * @default - none; then `clientCertificate` and `privateKey` are required
   */
  readonly credential?: TlsCredential;
  /**
   * The workload that originates the traffic: its pod labels become the DestinationRule's
   * `workloadSelector` and its service account gets read access to the credential. Required with
   * `credential`: sidecars ignore `credentialName` on a DestinationRule without `workloadSelector` and
   * send plaintext. A `SleepClient` or `MeshWorkload.fromWorkload(...)` (a cdk8s-plus Deployment, StatefulSet, ...)
   * of this app, or `MeshWorkload.fromAttributes(...)` for a workload deployed elsewhere (the validator then
   * warns about what it cannot check instead of failing).
   * @default - none; allowed only with certificate files
   */
  readonly client?: IMeshWorkload;
  /**
   * Path, inside the sidecar, of the client certificate (instead of `credential`).
   * @default - none; use `credential`
   */
  readonly clientCertificate?: string;
  /**
   * Path, inside the sidecar, of the client private key (instead of `credential`).
   * @default - none; use `credential`
   */
  readonly privateKey?: string;
  /**
   * Path, inside the sidecar, of the CA certificates that verify the server (instead of `credential`).
   * @default - the proxy's system CA bundle
   */
  readonly caCertificates?: string;
  /**
   * Load balancing algorithm.
   * @default LoadBalancer.ROUND_ROBIN
   */
  readonly loadBalancer?: LoadBalancer;
  /**
   * Whether to emit the Role and RoleBinding that let the client's service account read the credential.
   * @default true when `credential` is given
   */
  readonly createRbac?: boolean;
  /**
   * Name of the Role.
   * @default - `<secret name>-role`
   */
  readonly roleName?: string;
  /**
   * Name of the RoleBinding.
   * @default - `<secret name>-role-binding`
   */
  readonly roleBindingName?: string;
}

const PROPS = PROP_KEYS.MutualTlsOriginationProps;

/**
 * Mutual TLS origination from a sidecar to a server outside the mesh that requires client certificates.
 *
 * Emits a ServiceEntry (child id `ServiceEntry`) whose HTTP port has the HTTPS port as `targetPort`;
 * a DestinationRule (child id `DestinationRule`) in the client's namespace with a `workloadSelector`
 * for the client, the load balancer, and TLS mode `MUTUAL` with `credentialName` and `sni` on the HTTP
 * port; a Role (child id `Role`) that may `list` Secrets and a RoleBinding (child id `RoleBinding`)
 * for the client's service account; and the Secret of a `fromPem` credential or the cert-manager
 * Certificate of a `fromCertManager` one (child id `Credential`).
 *
 * @see https://istio.io/latest/docs/tasks/traffic-management/egress/egress-tls-origination/#mutual-tls-origination-for-egress-traffic
 * @example
 * import { MeshExternalNginx, MutualTlsOrigination, SleepClient, TlsCredential } from 'cdk8s-istio-egress';
 *
 * const sleep = new SleepClient(chart, 'sleep');
 * const nginx = new MeshExternalNginx(chart, 'my-nginx');
 * new MutualTlsOrigination(chart, 'mtls', {
 *   host: nginx.host, httpsPort: nginx.port, client: sleep,
 *   credential: TlsCredential.fromExistingSecret('client-credential'),
 * });
 */
export class MutualTlsOrigination extends Construct implements IEgressOrigination {
  /** The external host. */
  public readonly host: string;
  /** `metadata.name` of the ServiceEntry and the DestinationRule. */
  public readonly name: string;
  /** Namespace of the objects (the client's), when known. */
  public readonly namespace?: string;
  /** The HTTP port applications call. */
  public readonly httpPort: number;
  /** The HTTPS port mutual TLS is originated to. */
  public readonly httpsPort: number;
  /** The ServiceEntry. */
  public readonly serviceEntry: ApiObject;
  /** The DestinationRule. */
  public readonly destinationRule: ApiObject;
  /** The Role that reads the credential, when emitted. */
  public readonly role?: ApiObject;
  /** The RoleBinding for the client's service account, when emitted. */
  public readonly roleBinding?: ApiObject;
  /** The credential Secret (`fromPem`) or cert-manager Certificate (`fromCertManager`), when emitted. */
  public readonly credentialSecret?: ApiObject;

  /** What a client proxy needs to reach the host this way: see `OutboundLockdown.allow`. */
  public readonly egressPath: EgressPath;

  public constructor(scope: Construct, id: string, props: MutualTlsOriginationProps) {
    super(scope, id);
    try {
      checkProps('MutualTlsOrigination', props, PROPS);
      const r = resolveOrigination(props, true);
      const { credential, client } = props;
      validateFilePath('clientCertificate', props.clientCertificate);
      validateFilePath('privateKey', props.privateKey);
      validateFilePath('caCertificates', props.caCertificates);
      const files = (['clientCertificate', 'privateKey', 'caCertificates'] as const).filter((p) => props[p] !== undefined);
      if (credential !== undefined && !TlsCredential.isTlsCredential(credential)) {
        throw new Error(`'credential' must be made with TlsCredential.fromExistingSecret() or TlsCredential.fromPem() (got ${show(credential)})`);
      }
      if (credential && files.length > 0) {
        throw new Error(`'credential' and '${files[0]}' exclude each other: Istio rejects credentialName together with certificate files (got ${files[0]} ${show(props[files[0]])})`);
      }
      if (!credential && (props.clientCertificate === undefined || props.privateKey === undefined)) {
        throw new Error(`MUTUAL TLS needs a client certificate: give 'credential' (a Secret), or both 'clientCertificate' and 'privateKey' (got ${files.length ? files.join(' and ') + ' only' : 'neither'})`);
      }
      if (credential && !credential.hasKeyPair) {
        throw new Error(`'credential' must hold a client certificate and key for MUTUAL TLS (got secret ${show(credential.secretName)} with a CA certificate only)`);
      }
      if (credential && client === undefined) {
        throw new Error(`'client' is required with 'credential' (secret ${show(credential.secretName)}): sidecars ignore credentialName on a DestinationRule without workloadSelector and send plaintext`);
      }
      const selector = client !== undefined ? validateClient('client', client).podLabels : undefined;
      const chartNamespace = Chart.of(this).namespace;
      if (props.namespace !== undefined && client?.namespace !== undefined && props.namespace !== client.namespace) {
        throw new Error(`'namespace' must be the client's namespace ${show(client.namespace)}: a workloadSelector only selects pods of the DestinationRule's own namespace, and the credential must live there too (got ${show(props.namespace)})`);
      }
      const namespace = props.namespace ?? client?.namespace ?? chartNamespace;
      const loadBalancer = validateLoadBalancer(props.loadBalancer ?? LoadBalancer.ROUND_ROBIN);
      validateOriginationExportTo(props, true, client !== undefined, namespace);
      const createRbac = props.createRbac ?? credential !== undefined;
      if (typeof createRbac !== 'boolean') {
        throw new Error(`'createRbac' must be true or false (got ${show(createRbac)})`);
      }
      if (createRbac && !credential) {
        throw new Error("'createRbac' needs 'credential': certificate files are read from the sidecar's filesystem, not from a Secret");
      }

      this.host = r.host;
      this.name = r.name;
      this.namespace = namespace;
      this.httpPort = r.httpPort;
      this.httpsPort = r.httpsPort;

      const out = emitOrigination(this, props, { ...r, namespace }, {
        tls: {
          mode: TlsMode.MUTUAL,
          credentialName: credential?.secretName,
          clientCertificate: props.clientCertificate,
          privateKey: props.privateKey,
          caCertificates: props.caCertificates,
          sni: props.sni ?? r.host,
          subjectAltNames: props.subjectAltNames,
        },
        workloadSelector: selector,
        loadBalancer,
        remoteClient: client?.deployedElsewhere === true,
      });
      this.serviceEntry = out.serviceEntry;
      this.destinationRule = out.destinationRule!;
      this.credentialSecret = credential?._bind(this, 'Credential', namespace, CredentialPurpose.CLIENT);
      this.egressPath = sidecarEgressPath(r.host, namespace, props.resolution, client !== undefined, props.exportTo);

      if (createRbac && credential && client) {
        // names derived from the Secret's name are shortened with a hash when they would exceed 253 characters
        const roleName = props.roleName !== undefined ? validateObjectName('roleName', props.roleName) : shortenName(`${credential.secretName}-role`, 253);
        const roleBindingName = props.roleBindingName !== undefined
          ? validateObjectName('roleBindingName', props.roleBindingName) : shortenName(`${credential.secretName}-role-binding`, 253);
        this.role = kubeObject(this, 'Role', 'Role', {
          metadata: { name: roleName, namespace },
          rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }],
        });
        this.roleBinding = kubeObject(this, 'RoleBinding', 'RoleBinding', {
          metadata: {
            name: roleBindingName,
            namespace,
            annotations: client.deployedElsewhere === true ? { [REMOTE_CLIENT_ANNOTATION]: 'true' } : undefined,
          },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: roleName },
          subjects: [{ kind: 'ServiceAccount', name: client.serviceAccountName, namespace: client.namespace ?? namespace ?? 'default' }],
        });
      }
    } catch (e) {
      throw located(this, e);
    }
  }
}
