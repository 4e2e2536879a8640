import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import * as cm from '../../imports/cert-manager.io';
import { kubeObject } from '../private/k8s-object';
import { brandSymbol, hasBrand, setBrand } from '../private/brand';
import { located } from '../private/located-error';
import { checkCas, checkIssuedBy, checkKeyPair, checkValidity, parseCertificates, parsePrivateKey } from '../private/pem';
import { checkProps, show, validateDataKey, validateHost, validateKubectlReadable, validateObjectName } from '../private/props';
import { PROP_KEYS } from '../private/prop-keys.generated';

/** The kind of a cert-manager issuer. */
export enum IssuerKind {
  /** A namespaced `Issuer`, in the namespace of the Certificate. */
  ISSUER = 'Issuer',
  /** A cluster-wide `ClusterIssuer`. */
  CLUSTER_ISSUER = 'ClusterIssuer',
}

/** A certificate that cert-manager issues into a Secret, for `TlsCredential.fromCertManager`. */
export interface CertManagerCredentialOptions {
  /** Name of the Secret cert-manager writes (`tls.crt`, `tls.key`, and `ca.crt` for CA-based issuers). */
  readonly secretName: string;
  /** Name of the issuer. */
  readonly issuerName: string;
  /**
   * Kind of the issuer.
   * @default IssuerKind.ISSUER
   */
  readonly issuerKind?: IssuerKind;
  /**
   * Subject common name.
   * @default - the first of `dnsNames`
   */
  readonly commonName?: string;
  /**
   * DNS subject alternative names (at least one).
   */
  readonly dnsNames: string[];
  /**
   * Requested lifetime, as a Go duration.
   * @default - the issuer's default (90 days for most issuers)
   */
  readonly duration?: string;
  /**
   * How long before expiry cert-manager renews, as a Go duration.
   * @default - a third of the lifetime
   */
  readonly renewBefore?: string;
}

const GO_DURATION = /^([0-9]+(\.[0-9]+)?(ns|us|\u00b5s|ms|s|m|h))+$/;

/**
 * What a credential is used for; decides the key usages of cert-manager certificates.
 * @internal
 */
export enum CredentialPurpose {
  /** A client certificate (mutual TLS origination). */
  CLIENT = 'client',
  /** A server certificate. */
  SERVER = 'server',
  /** CA certificates only. */
  CA = 'ca',
}

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
   * PEM CA certificate(s), stored as `ca.crt`: the CA the proxy verifies the server with. Each must be a CA
   * (basicConstraints cA=true); with `certificate`, one of them must have issued it, unless
   * `caIssuedCertificate` is false.
   * @default - no CA certificate
   */
  readonly caCertificate?: string;
  /**
   * Whether `caCertificate` must also verify `certificate`. True fits the Istio task's layout (one CA signs
   * the client and the server) and catches a wrong CA file; set false when the server's CA differs from
   * the CA that issued the client certificate (`caCertificate` must still be CA certificates, valid now).
   * @default true
   */
  readonly caIssuedCertificate?: boolean;
}

const EXISTING_KEYS = PROP_KEYS.ExistingSecretOptions;
const PEM_KEYS = PROP_KEYS.PemCredentialOptions;
const CERT_MANAGER_KEYS = PROP_KEYS.CertManagerCredentialOptions;

const TLS_CREDENTIAL = brandSymbol('TlsCredential');

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
   * Whether `x` is a `TlsCredential`, also one made by another copy of this package (two versions in
   * node_modules), where `instanceof` is false.
   */
  public static isTlsCredential(x: any): x is TlsCredential {
    return hasBrand(x, TLS_CREDENTIAL);
  }

  /**
   * Refers to a Secret that already exists in the cluster (created with `kubectl create secret`, an
   * external secrets operator or cert-manager). Nothing is emitted for it.
   *
   * @param secretName name of the Secret, in the namespace of the workload that uses it
   * @example
   * import { TlsCredential } from 'cdk8s-istio-egress';
   *
   * const credential = TlsCredential.fromExistingSecret('client-credential');
   */
  public static fromExistingSecret(secretName: string, options: ExistingSecretOptions = {}): TlsCredential {
    try {
      validateObjectName('secretName', secretName);
      options = checkProps('TlsCredential.fromExistingSecret', options, EXISTING_KEYS, { optional: true, what: 'options' });
      for (const prop of EXISTING_KEYS) {
        const key = options[prop];
        if (key !== undefined) validateDataKey(prop, key);
      }
      return new TlsCredential(secretName, options, undefined);
    } catch (e) {
      throw located('TlsCredential.fromExistingSecret', e);
    }
  }

  /**
   * Emits a Secret holding the given PEM text: `kubernetes.io/tls` with `tls.crt`, `tls.key` and
   * `ca.crt` when a certificate and key are given, `Opaque` with `ca.crt` only otherwise.
   *
   * **WARNING: the private key is written, base64-encoded but not encrypted, into the synthesized
   * manifests. Never commit such output to Git.** Use it for tests and throw-away clusters, or feed the
   * output to a sealing step (Sealed Secrets, SOPS) before it leaves the machine; otherwise prefer
   * `fromExistingSecret`.
   *
   * The material is checked before anything is emitted, and refused with the field (`certificate`,
   * `privateKey`, `caCertificate`) and the reason, never the key: well-formed PEM (matching BEGIN/END
   * labels, base64 bodies), exactly one unencrypted private key that belongs to the certificate (the leaf,
   * first in the chain), every certificate valid now, every `caCertificate` a CA (basicConstraints cA=true),
   * and, when both are given, the certificate verified by the CA (directly or through the intermediates that
   * follow the leaf in `certificate`) unless `caIssuedCertificate` is false.
   */
  public static fromPem(options: PemCredentialOptions): TlsCredential {
    try {
      checkProps('TlsCredential.fromPem', options, PEM_KEYS, { what: 'options' });
      validateObjectName('secretName', options.secretName);
      if ((options.certificate === undefined) !== (options.privateKey === undefined)) {
        throw new Error(`'certificate' and 'privateKey' must be given together (got ${options.certificate === undefined ? 'only privateKey' : 'only certificate'})`);
      }
      if (options.certificate === undefined && options.caCertificate === undefined) {
        throw new Error("'fromPem' needs 'certificate' and 'privateKey', or 'caCertificate' (got none of them)");
      }
      const now = new Date();
      const chain = options.certificate !== undefined ? parseCertificates('certificate', options.certificate) : undefined;
      const key = options.privateKey !== undefined ? parsePrivateKey('privateKey', options.privateKey) : undefined;
      const cas = options.caCertificate !== undefined ? parseCertificates('caCertificate', options.caCertificate) : undefined;
      if (chain && key) checkKeyPair(chain[0], key);
      if (chain) checkValidity('certificate', chain, now);
      if (cas) {
        checkCas('caCertificate', cas);
        checkValidity('caCertificate', cas, now);
      }
      if (options.caIssuedCertificate !== undefined && typeof options.caIssuedCertificate !== 'boolean') {
        throw new Error(`'caIssuedCertificate' must be true or false (got ${show(options.caIssuedCertificate)})`);
      }
      if (chain && cas && options.caIssuedCertificate !== false) checkIssuedBy(chain, cas);
      return new TlsCredential(options.secretName, {}, options);
    } catch (e) {
      throw located('TlsCredential.fromPem', e);
    }
  }

  /**
   * Emits a cert-manager `Certificate` that issues the Secret (`tls.crt`, `tls.key`, and `ca.crt` when
   * the issuer is CA-based): keys are made in the cluster and rotated by cert-manager, never committed.
   * Key usages follow the use: `client auth` for a client credential, `server auth` for a server.
   * Requires cert-manager in the cluster.
   * @example
   * import { TlsCredential } from 'cdk8s-istio-egress';
   *
   * const credential = TlsCredential.fromCertManager({
   *   secretName: 'client-credential', issuerName: 'example-ca', dnsNames: ['client.example.com'],
   * });
   */
  public static fromCertManager(options: CertManagerCredentialOptions): TlsCredential {
    try {
      checkProps('TlsCredential.fromCertManager', options, CERT_MANAGER_KEYS, { what: 'options' });
      validateObjectName('secretName', options.secretName);
      validateObjectName('issuerName', options.issuerName);
      const kind = options.issuerKind ?? IssuerKind.ISSUER;
      if (!Object.values(IssuerKind).includes(kind)) {
        throw new Error(`'issuerKind' must be one of ${Object.values(IssuerKind).join(', ')} (got ${show(kind)})`);
      }
      if (!Array.isArray(options.dnsNames) || options.dnsNames.length === 0) {
        throw new Error(`'dnsNames' must list at least one DNS name (got ${show(options.dnsNames)})`);
      }
      options.dnsNames.forEach((n, i) => validateHost(`dnsNames[${i}]`, n, { allowWildcard: true }));
      if (options.commonName !== undefined) validateKubectlReadable('commonName', options.commonName);
      for (const prop of ['duration', 'renewBefore'] as const) {
        const v = options[prop];
        if (v !== undefined && !GO_DURATION.test(v)) {
          throw new Error(`'${prop}' must be a Go duration such as "2160h" or "720h30m" (got ${show(v)})`);
        }
      }
      return new TlsCredential(options.secretName, {}, undefined, { ...options, issuerKind: kind });
    } catch (e) {
      throw located('TlsCredential.fromCertManager', e);
    }
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

  /** Whether the Secret is issued by a cert-manager Certificate this credential emits. */
  public readonly issuedByCertManager: boolean;

  private readonly pem?: PemCredentialOptions;
  private readonly certManager?: CertManagerCredentialOptions;

  private constructor(secretName: string, keys: ExistingSecretOptions, pem: PemCredentialOptions | undefined, certManager?: CertManagerCredentialOptions) {
    setBrand(this, TLS_CREDENTIAL);
    this.secretName = secretName;
    this.certificateKey = keys.certificateKey ?? 'tls.crt';
    this.privateKeyKey = keys.privateKeyKey ?? 'tls.key';
    this.caCertificateKey = keys.caCertificateKey ?? 'ca.crt';
    // not enumerable: JSON.stringify, Object.keys, a spread or console.log of a credential never carry its PEM
    Object.defineProperty(this, 'pem', { value: pem, enumerable: false });
    this.certManager = certManager;
    this.emitsSecret = pem !== undefined;
    this.issuedByCertManager = certManager !== undefined;
  }

  /**
   * What `JSON.stringify` and `console.log` show of the credential: the Secret's name and keys and where the
   * Secret comes from, never PEM material.
   * @internal
   */
  public _describe(): Record<string, unknown> {
    return {
      secretName: this.secretName,
      source: this.pem ? 'fromPem' : this.certManager ? 'fromCertManager' : 'fromExistingSecret',
      certificateKey: this.certificateKey,
      privateKeyKey: this.privateKeyKey,
      caCertificateKey: this.caCertificateKey,
    };
  }

  /** Whether the credential carries a certificate and private key (and not only CA certificates). */
  public get hasKeyPair(): boolean {
    return this.pem === undefined || this.pem.certificate !== undefined;
  }

  /**
   * Emits the Secret of a `fromPem` credential, or the Certificate of a `fromCertManager` one, in
   * `namespace` under `scope`; does nothing for an existing Secret.
   * @internal
   */
  public _bind(scope: Construct, id: string, namespace: string | undefined, purpose: CredentialPurpose): ApiObject | undefined {
    if (this.certManager) return this.bindCertificate(scope, id, namespace, purpose);
    const pem = this.pem;
    if (!pem) return undefined;
    const b64 = (s: string | undefined) => (s === undefined ? undefined : Buffer.from(s, 'utf8').toString('base64'));
    const data: Record<string, string | undefined> = {
      [this.certificateKey]: b64(pem.certificate),
      [this.privateKeyKey]: b64(pem.privateKey),
      [this.caCertificateKey]: b64(pem.caCertificate),
    };
    return kubeObject(scope, id, 'Secret', {
      metadata: { name: this.secretName, namespace },
      type: pem.certificate !== undefined ? 'kubernetes.io/tls' : 'Opaque',
      data: Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined)) as Record<string, string>,
    });
  }

  private bindCertificate(scope: Construct, id: string, namespace: string | undefined, purpose: CredentialPurpose): ApiObject {
    const o = this.certManager!;
    const usages = purpose === CredentialPurpose.SERVER ? ['digital signature', 'key encipherment', 'server auth']
      : purpose === CredentialPurpose.CLIENT ? ['digital signature', 'key encipherment', 'client auth']
        : ['digital signature', 'key encipherment'];
    return new cm.Certificate(scope, id, {
      metadata: { name: this.secretName, namespace },
      spec: {
        secretName: this.secretName,
        issuerRef: { name: o.issuerName, kind: o.issuerKind, group: 'cert-manager.io' },
        commonName: o.commonName ?? o.dnsNames[0],
        dnsNames: [...o.dnsNames],
        duration: o.duration,
        renewBefore: o.renewBefore,
        usages: usages as cm.CertificateSpecUsages[],
        privateKey: { rotationPolicy: cm.CertificateSpecPrivateKeyRotationPolicy.ALWAYS },
      },
    });
  }
}

// Outside the class, so that they are no part of the jsii API: what JSON.stringify and util.inspect show.
Object.defineProperty(TlsCredential.prototype, 'toJSON', {
  value: function toJSON(this: TlsCredential) { return this._describe(); },
  enumerable: false,
});
Object.defineProperty(TlsCredential.prototype, Symbol.for('nodejs.util.inspect.custom'), {
  value: function inspect(this: TlsCredential) { return `TlsCredential ${JSON.stringify(this._describe())}`; },
  enumerable: false,
});
