/**
 * Certificates as code: the key material of Istio's "Egress TLS Origination"
 * task (mutual TLS section), generated in-process with @peculiar/x509 on top of
 * Node's WebCrypto instead of the seed's `openssl` commands.
 *
 *   openssl req -x509 ... -subj '/O=example Inc./CN=example.com'                -> ca
 *   openssl req ... -subj "/CN=<host>/O=some organization"  (+ SAN, serverAuth) -> server
 *   openssl req ... -subj "/CN=client.example.com/O=client organization"        -> client
 *
 * Also models the three Kubernetes Secrets the seed creates from those files
 * (`nginx-server-certs`, `nginx-ca-certs`, `client-credential`), both as the
 * `kubectl create secret` command lines and as Secret manifests, so that the
 * CLI (scripts/certs.js) and the end-to-end test share one definition.
 */
// @peculiar/x509 (tsyringe) needs a Reflect metadata polyfill loaded before it.
import 'reflect-metadata';
import { webcrypto, X509Certificate as NodeX509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

// The project compiles without the DOM lib: take the WebCrypto types from Node.
type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
type Crypto = webcrypto.Crypto;
type KeyUsage = webcrypto.KeyUsage;
type Algorithm = webcrypto.Algorithm;
type EcdsaParams = webcrypto.EcdsaParams;
type RsaHashedKeyGenParams = webcrypto.RsaHashedKeyGenParams;
type EcKeyGenParams = webcrypto.EcKeyGenParams;

/** Key algorithms supported for the generated key pairs. */
export type KeyAlgorithm = 'RSA-2048' | 'RSA-3072' | 'RSA-4096' | 'ECDSA-P256' | 'ECDSA-P384';

/** Default host of the mesh-external nginx server in the seed. */
export const DEFAULT_SERVER_HOST = 'my-nginx.mesh-external.svc.cluster.local';
/** Default validity of every generated certificate, in days (the seed's `-days 365`). */
export const DEFAULT_VALIDITY_DAYS = 365;
/** Default key algorithm (the seed's `-newkey rsa:2048`). */
export const DEFAULT_KEY_ALGORITHM: KeyAlgorithm = 'RSA-2048';

export interface CertificateOptions {
  /** Host name of the TLS server: server certificate CN and first DNS SAN. @default 'my-nginx.mesh-external.svc.cluster.local' */
  readonly serverHost?: string;
  /** Additional subject alternative names for the server certificate (DNS names, or IP addresses). */
  readonly extraSans?: string[];
  /** Validity of every certificate in days. @default 365 */
  readonly validityDays?: number;
  /** Key algorithm of all three key pairs. @default 'RSA-2048' */
  readonly keyAlgorithm?: KeyAlgorithm;
  /** Start of the validity period. @default now minus one minute (tolerates small clock skew) */
  readonly notBefore?: Date;
  /** CA subject organisation. @default 'example Inc.' */
  readonly caOrganization?: string;
  /** CA subject common name (also the CA file base name). @default 'example.com' */
  readonly caCommonName?: string;
  /** Server subject organisation. @default 'some organization' */
  readonly serverOrganization?: string;
  /** Client subject common name (also the client file base name). @default 'client.example.com' */
  readonly clientCommonName?: string;
  /** Client subject organisation. @default 'client organization' */
  readonly clientOrganization?: string;
}

/** A PEM certificate with its PEM (PKCS#8, unencrypted) private key. */
export interface PemKeyPair {
  readonly cert: string;
  readonly key: string;
  /** Base name of the seed's files for this pair, e.g. `example.com` for example.com.crt/.key. */
  readonly fileBase: string;
}

export interface CertificateBundle {
  /** Root CA (self-signed). */
  readonly ca: PemKeyPair;
  /** Server certificate for `serverHost`, signed by the CA (EKU serverAuth). */
  readonly server: PemKeyPair;
  /** Client certificate `CN=client.example.com`, signed by the CA (EKU clientAuth). */
  readonly client: PemKeyPair;
  /** The server host the bundle was generated for. */
  readonly serverHost: string;
  /** All DNS/IP SANs of the server certificate. */
  readonly serverSans: string[];
  /**
   * The files the seed's openssl commands produce, by file name:
   * example.com.crt/.key, <host>.crt/.key, client.example.com.crt/.key.
   */
  readonly files: Record<string, string>;
}

function keyGenParams(alg: KeyAlgorithm): RsaHashedKeyGenParams | EcKeyGenParams {
  switch (alg) {
    case 'RSA-2048':
    case 'RSA-3072':
    case 'RSA-4096':
      return {
        name: 'RSASSA-PKCS1-v1_5',
        modulusLength: Number(alg.slice(4)),
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: 'SHA-256',
      };
    case 'ECDSA-P256':
      return { name: 'ECDSA', namedCurve: 'P-256' };
    case 'ECDSA-P384':
      return { name: 'ECDSA', namedCurve: 'P-384' };
    default:
      throw new Error(`unsupported key algorithm: ${String(alg)}`);
  }
}

function signingAlgorithm(alg: KeyAlgorithm): Algorithm | EcdsaParams {
  if (alg.startsWith('RSA')) return { name: 'RSASSA-PKCS1-v1_5' };
  return { name: 'ECDSA', hash: alg === 'ECDSA-P384' ? 'SHA-384' : 'SHA-256' } as EcdsaParams;
}

function randomSerial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] &= 0x7f; // positive INTEGER
  if (bytes[0] === 0) bytes[0] = 0x01; // no leading zero octet
  return Buffer.from(bytes).toString('hex');
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

function certPem(cert: x509.X509Certificate): string {
  // PemConverter output ends without a newline; openssl files end with one.
  return cert.toString('pem').trimEnd() + '\n';
}

function sanEntry(name: string): { type: 'dns' | 'ip'; value: string } {
  return isIP(name) ? { type: 'ip', value: name } : { type: 'dns', value: name };
}

function validateDays(days: number): number {
  if (!Number.isInteger(days) || days <= 0) throw new Error(`validityDays must be a positive integer, got ${days}`);
  return days;
}

/**
 * Generates the CA, server and client certificates of the seed's mutual TLS
 * origination scenario. All outputs are PEM strings.
 */
export async function generateCertificates(options: CertificateOptions = {}): Promise<CertificateBundle> {
  const crypto = webcrypto as unknown as Crypto;
  const alg = options.keyAlgorithm ?? DEFAULT_KEY_ALGORITHM;
  const days = validateDays(options.validityDays ?? DEFAULT_VALIDITY_DAYS);
  const serverHost = options.serverHost ?? DEFAULT_SERVER_HOST;
  if (!serverHost || /\s|\//.test(serverHost)) throw new Error(`invalid server host: '${serverHost}'`);
  const caCn = options.caCommonName ?? 'example.com';
  const clientCn = options.clientCommonName ?? 'client.example.com';
  const notBefore = new Date(Math.floor((options.notBefore?.getTime() ?? Date.now() - 60_000) / 1000) * 1000);
  const notAfter = new Date(notBefore.getTime() + days * 86_400_000);
  const genParams = keyGenParams(alg);
  const usages: KeyUsage[] = ['sign', 'verify'];
  const isRsa = alg.startsWith('RSA');

  const [caKeys, serverKeys, clientKeys] = await Promise.all([
    crypto.subtle.generateKey(genParams, true, usages) as Promise<CryptoKeyPair>,
    crypto.subtle.generateKey(genParams, true, usages) as Promise<CryptoKeyPair>,
    crypto.subtle.generateKey(genParams, true, usages) as Promise<CryptoKeyPair>,
  ]);

  const caName: x509.JsonName = [{ O: [options.caOrganization ?? 'example Inc.'] }, { CN: [caCn] }];
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: caName,
    notBefore,
    notAfter,
    keys: caKeys,
    signingAlgorithm: signingAlgorithm(alg),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey, false, crypto),
    ],
  }, crypto);

  const leafKeyUsage = x509.KeyUsageFlags.digitalSignature | (isRsa ? x509.KeyUsageFlags.keyEncipherment : 0);
  const leaf = async (
    keys: CryptoKeyPair, subject: x509.JsonName, eku: x509.ExtendedKeyUsage, sans: string[],
  ): Promise<x509.X509Certificate> => x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject,
    issuer: ca.subject,
    notBefore,
    notAfter,
    publicKey: keys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: signingAlgorithm(alg),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(leafKeyUsage, true),
      new x509.ExtendedKeyUsageExtension([eku], false),
      new x509.SubjectAlternativeNameExtension(sans.map(sanEntry), false),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey, false, crypto),
    ],
  }, crypto);

  const serverSans = [...new Set([serverHost, ...(options.extraSans ?? [])])];
  const server = await leaf(serverKeys,
    [{ CN: [serverHost] }, { O: [options.serverOrganization ?? 'some organization'] }],
    x509.ExtendedKeyUsage.serverAuth, serverSans);
  const client = await leaf(clientKeys,
    [{ CN: [clientCn] }, { O: [options.clientOrganization ?? 'client organization'] }],
    x509.ExtendedKeyUsage.clientAuth, [clientCn]);

  const pair = async (cert: x509.X509Certificate, keys: CryptoKeyPair, fileBase: string): Promise<PemKeyPair> =>
    ({ cert: certPem(cert), key: await privateKeyPem(keys.privateKey), fileBase });
  const bundle = {
    ca: await pair(ca, caKeys, caCn),
    server: await pair(server, serverKeys, serverHost),
    client: await pair(client, clientKeys, clientCn),
  };
  const files: Record<string, string> = {};
  for (const p of [bundle.ca, bundle.server, bundle.client]) {
    files[`${p.fileBase}.crt`] = p.cert;
    files[`${p.fileBase}.key`] = p.key;
  }
  return { ...bundle, serverHost, serverSans, files };
}

/** Returns true when `cert` (PEM) was issued and signed by `caCert` (PEM), checked with Node's X509Certificate. */
export function isSignedBy(cert: string, caCert: string): boolean {
  const leaf = new NodeX509Certificate(cert);
  const ca = new NodeX509Certificate(caCert);
  return leaf.checkIssued(ca) && leaf.verify(ca.publicKey);
}

// ---------------------------------------------------------------------------
// Kubernetes Secrets of the seed
// ---------------------------------------------------------------------------

export interface SecretOptions {
  /** Namespace of the nginx server secrets (the seed's `kubectl create -n mesh-external`). @default 'mesh-external' */
  readonly namespace?: string;
  /**
   * Namespace of the client credential (must be the client workload's namespace).
   * @default undefined: no `-n` flag, i.e. the kubectl context's namespace, `default` in the seed
   */
  readonly clientNamespace?: string;
  /** @default 'nginx-server-certs' */
  readonly serverSecretName?: string;
  /** @default 'nginx-ca-certs' */
  readonly caSecretName?: string;
  /** @default 'client-credential' */
  readonly clientSecretName?: string;
  /** Key of the CA certificate in the CA secret. @default - the CA file name, `example.com.crt` */
  readonly caSecretKey?: string;
}

/** A Kubernetes Secret (v1) manifest holding the material, keyed as `kubectl create secret` would key it. */
export interface SecretManifest {
  readonly apiVersion: 'v1';
  readonly kind: 'Secret';
  readonly metadata: { readonly name: string; readonly namespace: string };
  readonly type: string;
  readonly stringData: Record<string, string>;
}

interface SecretSpec {
  name: string;
  namespace?: string;
  type: 'kubernetes.io/tls' | 'Opaque';
  /** secret key -> file name it is created from */
  keys: Record<string, string>;
}

function secretSpecs(bundle: Pick<CertificateBundle, 'ca' | 'server' | 'client'>, options: SecretOptions): SecretSpec[] {
  const ns = options.namespace ?? 'mesh-external';
  const caFile = `${bundle.ca.fileBase}.crt`;
  return [
    {
      name: options.serverSecretName ?? 'nginx-server-certs', namespace: ns, type: 'kubernetes.io/tls',
      keys: { 'tls.key': `${bundle.server.fileBase}.key`, 'tls.crt': `${bundle.server.fileBase}.crt` },
    },
    {
      name: options.caSecretName ?? 'nginx-ca-certs', namespace: ns, type: 'Opaque',
      keys: { [options.caSecretKey ?? caFile]: caFile },
    },
    {
      name: options.clientSecretName ?? 'client-credential', namespace: options.clientNamespace, type: 'Opaque',
      keys: {
        'tls.key': `${bundle.client.fileBase}.key`,
        'tls.crt': `${bundle.client.fileBase}.crt`,
        'ca.crt': caFile,
      },
    },
  ];
}

/**
 * The `kubectl create secret` command lines of the seed, for the given file
 * base names (only `fileBase` of each pair is used, so this also works
 * without generated material). File paths are relative to `dir` when given.
 */
export function kubectlSecretCommands(
  bundle: Pick<CertificateBundle, 'ca' | 'server' | 'client'>, options: SecretOptions = {}, dir?: string,
): string[] {
  const p = (file: string) => (dir ? `${dir.replace(/\/+$/, '')}/${file}` : file);
  return secretSpecs(bundle, options).map((s) => {
    const nsFlag = s.namespace ? `-n ${s.namespace} ` : '';
    if (s.type === 'kubernetes.io/tls') {
      return `kubectl create ${nsFlag}secret tls ${s.name} --key ${p(s.keys['tls.key'])} --cert ${p(s.keys['tls.crt'])}`;
    }
    const froms = Object.entries(s.keys).map(([k, f]) => (k === f ? `--from-file=${p(f)}` : `--from-file=${k}=${p(f)}`));
    if (s.name === (options.clientSecretName ?? 'client-credential')) {
      // the seed writes this one as `kubectl create secret generic ... [-n NS]`
      return `kubectl create secret generic ${s.name} ${froms.join(' ')}${s.namespace ? ` -n ${s.namespace}` : ''}`;
    }
    return `kubectl create ${nsFlag}secret generic ${s.name} ${froms.join(' ')}`;
  });
}

/**
 * The Secrets the seed's kubectl commands create, as manifests. The client
 * credential goes to `clientNamespace` (default `default`).
 */
export function secretManifests(bundle: CertificateBundle, options: SecretOptions = {}): SecretManifest[] {
  return secretSpecs(bundle, options).map((s) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: s.name, namespace: s.namespace ?? 'default' },
    type: s.type,
    stringData: Object.fromEntries(Object.entries(s.keys).map(([k, f]) => {
      const content = bundle.files[f];
      if (content === undefined) throw new Error(`no generated file ${f}`);
      return [k, content];
    })),
  }));
}
