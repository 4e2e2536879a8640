import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { validateObjectName } from './validate-props';

/** Key names inside an existing Secret. */
export interface ExistingSecretOptions {
  /**
   * Key of the PEM certificate (chain).
   * @default 'tls.crt'
   */
  readonly certificateKey?: string;
  /**
   * Key of the PEM private key.
   * @default 'tls.key'
   */
  readonly privateKeyKey?: string;
  /**
   * Key of the PEM CA certificate(s) used to verify the peer.
   * @default 'ca.crt'
   */
  readonly caCertificateKey?: string;
}

/** PEM material for `TlsCredential.fromPem`. */
export interface PemCredentialOptions {
  /** Name of the Secret to emit. */
  readonly secretName: string;
  /**
   * PEM certificate (chain), stored as `tls.crt`.
   * @default - no certificate; then `privateKey` must be absent too and the Secret holds only the CA
   */
  readonly certificate?: string;
  /**
   * PEM private key, stored as `tls.key`. Ends up in the synthesized manifest: see the warning on `fromPem`.
   * @default - no private key
   */
  readonly privateKey?: string;
  /**
   * PEM CA certificate(s), stored as `ca.crt`.
   * @default - no CA certificate
   */
  readonly caCertificate?: string;
}

const PEM_CERT = /^-----BEGIN CERTIFICATE-----\r?\n[\s\S]+?\r?\n-----END CERTIFICATE-----\s*/;
const PEM_KEY = /^-----BEGIN ((RSA|EC|ENCRYPTED) )?PRIVATE KEY-----\r?\n[\s\S]+?\r?\n-----END ((RSA|EC|ENCRYPTED) )?PRIVATE KEY-----\s*$/;

function checkPem(prop: string, value: string | undefined, kind: 'certificate' | 'key'): void {
  if (value === undefined) return;
  const ok = typeof value === 'string' && (kind === 'key' ? PEM_KEY.test(value.trim() + '\n') : isCertificateBundle(value));
  if (!ok) {
    const head = typeof value === 'string' ? value.trim().split('\n')[0].slice(0, 40) : value;
    throw new Error(`'${prop}' must be a PEM ${kind === 'key' ? 'private key ("-----BEGIN PRIVATE KEY-----" ...)' : 'certificate ("-----BEGIN CERTIFICATE-----" ...)'} (got ${JSON.stringify(head)}${typeof value === 'string' && value.length > 40 ? '...' : ''})`);
  }
}

function isCertificateBundle(value: string): boolean {
  let rest = value.trim() + '\n';
  if (!rest.startsWith('-----BEGIN CERTIFICATE-----')) return false;
  while (rest.length > 0) {
    const m = PEM_CERT.exec(rest);
    if (!m) return false;
    rest = rest.slice(m[0].length);
  }
  return true;
}

/**
 * TLS material held in a Kubernetes Secret: a certificate, its private key and CA certificates.
 *
 * Used as the client credential of `MutualTlsOrigination` (Istio's `credentialName`), and as the server
 * and CA certificates of `MeshExternalNginx`. Either refers to a Secret created out of band
 * (`fromExistingSecret`, the default everywhere and the only choice that keeps keys out of Git) or emits
 * one from PEM text (`fromPem`).
 */
export class TlsCredential {
  /**
   * Refers to a Secret that already exists in the cluster (created with `kubectl create secret`, an
   * external secrets operator or cert-manager). Nothing is emitted for it.
   *
   * @param secretName name of the Secret, in the namespace of the workload that uses it
   * @example TlsCredential.fromExistingSecret('client-credential')
   */
  public static fromExistingSecret(secretName: string, options: ExistingSecretOptions = {}): TlsCredential {
    validateObjectName('secretName', secretName);
    return new TlsCredential(secretName, options, undefined);
  }

  /**
   * Emits a Secret holding the given PEM text: `kubernetes.io/tls` with `tls.crt`, `tls.key` and
   * `ca.crt` when a certificate and key are given, `Opaque` with `ca.crt` only otherwise.
   *
   * **WARNING: the private key is written, base64-encoded but not encrypted, into the synthesized
   * manifests. Never commit such output to Git.** Use it for tests and throw-away clusters, or feed the
   * output to a sealing step (Sealed Secrets, SOPS) before it leaves the machine; otherwise prefer
   * `fromExistingSecret`.
   */
  public static fromPem(options: PemCredentialOptions): TlsCredential {
    validateObjectName('secretName', options.secretName);
    checkPem('certificate', options.certificate, 'certificate');
    checkPem('privateKey', options.privateKey, 'key');
    checkPem('caCertificate', options.caCertificate, 'certificate');
    if ((options.certificate === undefined) !== (options.privateKey === undefined)) {
      throw new Error(`'certificate' and 'privateKey' must be given together (got ${options.certificate === undefined ? 'only privateKey' : 'only certificate'})`);
    }
    if (options.certificate === undefined && options.caCertificate === undefined) {
      throw new Error("'fromPem' needs 'certificate' and 'privateKey', or 'caCertificate' (got none of them)");
    }
    return new TlsCredential(options.secretName, {}, options);
  }

  /** Name of the Secret. */
  public readonly secretName: string;
  /** Key of the certificate in the Secret. */
  public readonly certificateKey: string;
  /** Key of the private key in the Secret. */
  public readonly privateKeyKey: string;
  /** Key of the CA certificate in the Secret. */
  public readonly caCertificateKey: string;
  /** Whether this credential emits its Secret (`fromPem`) rather than referring to an existing one. */
  public readonly emitsSecret: boolean;

  private readonly pem?: PemCredentialOptions;

  private constructor(secretName: string, keys: ExistingSecretOptions, pem: PemCredentialOptions | undefined) {
    this.secretName = secretName;
    this.certificateKey = keys.certificateKey ?? 'tls.crt';
    this.privateKeyKey = keys.privateKeyKey ?? 'tls.key';
    this.caCertificateKey = keys.caCertificateKey ?? 'ca.crt';
    this.pem = pem;
    this.emitsSecret = pem !== undefined;
  }

  /** Whether the credential carries a certificate and private key (and not only CA certificates). */
  public get hasKeyPair(): boolean {
    return this.pem === undefined || this.pem.certificate !== undefined;
  }

  /**
   * Emits the Secret for a `fromPem` credential in `namespace` under `scope`; does nothing for an
   * existing Secret.
   * @internal
   */
  public _bind(scope: Construct, id: string, namespace: string | undefined, labels?: Record<string, string>): ApiObject | undefined {
    const pem = this.pem;
    if (!pem) return undefined;
    const b64 = (s: string | undefined) => (s === undefined ? undefined : Buffer.from(s, 'utf8').toString('base64'));
    const data: Record<string, string | undefined> = {
      [this.certificateKey]: b64(pem.certificate),
      [this.privateKeyKey]: b64(pem.privateKey),
      [this.caCertificateKey]: b64(pem.caCertificate),
    };
    return new k8s.KubeSecret(scope, id, {
      metadata: { name: this.secretName, namespace, labels },
      type: pem.certificate !== undefined ? 'kubernetes.io/tls' : 'Opaque',
      data: Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined)) as Record<string, string>,
    });
  }
}
