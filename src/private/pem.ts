/**
 * Checks of PEM material for `TlsCredential.fromPem`, with Node's `crypto` (synchronous, no key material in
 * any message): well-formed blocks, one unencrypted private key, a certificate that the key belongs to and
 * that is valid now, and CA certificates that are CAs and verify the certificate.
 *
 * @internal
 */
import { KeyObject, X509Certificate, createPrivateKey } from 'crypto';

/** One `-----BEGIN X-----` ... `-----END X-----` block. */
interface PemBlock {
  readonly label: string;
  readonly headers: string[];
  readonly der: Buffer;
}

const BEGIN = /^-----BEGIN ([A-Z0-9 ]+)-----$/;
const END = /^-----END ([A-Z0-9 ]+)-----$/;
const KEY_LABELS = ['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY'];
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Splits PEM text into blocks; throws, naming `prop`, on anything that is not a well-formed PEM block. */
function parseBlocks(prop: string, text: string): PemBlock[] {
  // blocks concatenated without a newline between them (`cat a.pem b.pem`) are still two blocks
  const lines = text.replace(/\r\n?/g, '\n').replace(/(-----END [A-Z0-9 ]+-----)[ \t]*(?=-----BEGIN )/g, '$1\n').split('\n');
  const blocks: PemBlock[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i].trim();
    if (line === '') { i++; continue; }
    const begin = BEGIN.exec(line);
    if (!begin) {
      throw new Error(`'${prop}' must be PEM text: line ${i + 1} is neither a "-----BEGIN ...-----" line nor inside a block`);
    }
    const label = begin[1];
    const n = blocks.length + 1;
    const headers: string[] = [];
    const body: string[] = [];
    let end: RegExpExecArray | null = null;
    for (i++; i < lines.length; i++) {
      const l = lines[i].trim();
      end = END.exec(l);
      if (end || BEGIN.test(l)) break;
      if (l.includes(':') && body.length === 0) headers.push(l);
      else body.push(l);
    }
    if (!end) {
      throw new Error(`'${prop}' has a PEM block ${n} ("BEGIN ${label}") without its "-----END ${label}-----" line`);
    }
    if (end[1] !== label) {
      throw new Error(`'${prop}' has a PEM block ${n} that begins with "BEGIN ${label}" but ends with "END ${end[1]}": the labels must match`);
    }
    const b64 = body.join('');
    if (b64 === '' || b64.length % 4 !== 0 || !BASE64.test(b64)) {
      throw new Error(`'${prop}' has a PEM block ${n} ("${label}") whose body is not base64`);
    }
    blocks.push({ label, headers, der: Buffer.from(b64, 'base64') });
    i++;
  }
  if (blocks.length === 0) {
    throw new Error(`'${prop}' must be PEM text with at least one "-----BEGIN ...-----" block (got none)`);
  }
  return blocks;
}

function describe(cert: X509Certificate): string {
  return `subject "${cert.subject.replace(/\n/g, ', ')}"`;
}

/** Parses a PEM bundle of certificates (one or more); throws on keys or other blocks in it. */
export function parseCertificates(prop: string, text: unknown): X509Certificate[] {
  if (typeof text !== 'string') {
    throw new Error(`'${prop}' must be a PEM certificate ("-----BEGIN CERTIFICATE-----" ...) (got ${typeof text})`);
  }
  return parseBlocks(prop, text).map((b, i) => {
    if (b.label.includes('PRIVATE KEY')) {
      throw new Error(`'${prop}' contains a private key (PEM block ${i + 1}, "${b.label}"): give only certificates here, and the key in 'privateKey'`);
    }
    if (b.label !== 'CERTIFICATE') {
      throw new Error(`'${prop}' must contain only "CERTIFICATE" PEM blocks (block ${i + 1} is "${b.label}")`);
    }
    try {
      return new X509Certificate(b.der);
    } catch {
      throw new Error(`'${prop}' has a PEM block ${i + 1} that is not an X.509 certificate (its DER does not parse)`);
    }
  });
}

/** Parses exactly one unencrypted PEM private key. */
export function parsePrivateKey(prop: string, text: unknown): KeyObject {
  if (typeof text !== 'string') {
    throw new Error(`'${prop}' must be a PEM private key ("-----BEGIN PRIVATE KEY-----" ...) (got ${typeof text})`);
  }
  const blocks = parseBlocks(prop, text);
  blocks.forEach((b, i) => {
    if (b.label === 'ENCRYPTED PRIVATE KEY' || b.headers.some((h) => /^Proc-Type:\s*4,\s*ENCRYPTED$/i.test(h))) {
      throw new Error(`'${prop}' is encrypted (PEM block ${i + 1}): Envoy and nginx cannot read a key that needs a passphrase; decrypt it (openssl pkey -in key.pem -out plain.pem)`);
    }
    if (!KEY_LABELS.includes(b.label)) {
      throw new Error(`'${prop}' must contain a private key ("PRIVATE KEY", "RSA PRIVATE KEY" or "EC PRIVATE KEY"), but PEM block ${i + 1} is "${b.label}"`);
    }
  });
  if (blocks.length !== 1) {
    throw new Error(`'${prop}' must contain exactly one private key (got ${blocks.length} PEM blocks)`);
  }
  try {
    return createPrivateKey({ key: text, format: 'pem' });
  } catch {
    throw new Error(`'${prop}' is not a private key Node can read (malformed "${blocks[0].label}" block)`);
  }
}

/** Throws unless `now` is within the validity of every certificate. */
export function checkValidity(prop: string, certs: X509Certificate[], now: Date): void {
  certs.forEach((c, i) => {
    const from = new Date(c.validFrom);
    const to = new Date(c.validTo);
    const which = certs.length > 1 ? `certificate ${i + 1} (${describe(c)})` : `the certificate (${describe(c)})`;
    if (now < from) {
      throw new Error(`'${prop}': ${which} is not valid yet: valid from ${from.toISOString()} (now ${now.toISOString()})`);
    }
    if (now > to) {
      throw new Error(`'${prop}': ${which} has expired: valid until ${to.toISOString()} (now ${now.toISOString()})`);
    }
  });
}

/** Throws unless `key` is the private key of `cert` (same public key). */
export function checkKeyPair(cert: X509Certificate, key: KeyObject): void {
  if (!cert.checkPrivateKey(key)) {
    throw new Error(`'privateKey' does not belong to 'certificate': its public key differs from that of the certificate (${describe(cert)})`);
  }
}

/** Throws unless every certificate of `cas` is a CA (basicConstraints cA=true). */
export function checkCas(prop: string, cas: X509Certificate[]): void {
  cas.forEach((c, i) => {
    if (!c.ca) {
      throw new Error(`'${prop}': certificate ${i + 1} (${describe(c)}) is not a CA (its basicConstraints do not say cA=true): a leaf certificate cannot verify peers`);
    }
  });
}

/**
 * Throws unless the first certificate of `chain` is verified by one of `cas`, directly or through the
 * intermediates that follow it in `chain` (each issuer a CA that signed the certificate before it).
 */
export function checkIssuedBy(chain: X509Certificate[], cas: X509Certificate[]): void {
  let current = chain[0];
  const intermediates = chain.slice(1);
  for (let depth = 0; depth <= intermediates.length; depth++) {
    if (cas.some((ca) => current.checkIssued(ca) && current.verify(ca.publicKey))) return;
    const next = intermediates.find((c) => c.ca && current.checkIssued(c) && current.verify(c.publicKey));
    if (!next) break;
    current = next;
  }
  throw new Error(`'caCertificate' does not verify 'certificate': no CA certificate in it signed ${describe(current)} (issuer "${current.issuer.replace(/\n/g, ', ')}")`);
}
