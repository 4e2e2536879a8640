// Private keys in the objects synth is about to write (TlsCredential.fromPem's Secret, or any object that holds
// a PEM private key): synth refuses to write them unless told so, since the output folder ends up in git.
// Internal: used by ./command.ts and scripts/synth.js.
import { quote } from './out-folder';

/** A PEM private key block (PKCS#8, PKCS#1, SEC1, OpenSSH, encrypted or not). */
const PEM_PRIVATE_KEY = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/;

/** Where a private key is. */
export interface PrivateKeyFinding {
  /** The file it would be written to. */
  readonly file: string;
  /** `Secret shop/client-credential`. */
  readonly object: string;
  /** `data.tls.key`. */
  readonly field: string;
}

function describeObject(o: any): string {
  const kind = typeof o?.kind === 'string' ? o.kind : 'object';
  const ns = typeof o?.metadata?.namespace === 'string' ? `${o.metadata.namespace}/` : '';
  const name = typeof o?.metadata?.name === 'string' ? o.metadata.name : '(unnamed)';
  return `${kind} ${quote(ns + name)}`;
}

/** Whether a Secret's `data` value (base64) decodes to a private key. */
function decodesToKey(v: string): boolean {
  return PEM_PRIVATE_KEY.test(Buffer.from(v, 'base64').toString('latin1'));
}

/** Whether `v` (a string) is a private key, or (in a Secret's `data`) decodes to one. */
function isKey(v: string, inData: boolean): boolean {
  return PEM_PRIVATE_KEY.test(v) || (inData && decodesToKey(v));
}

/**
 * Whether any string of `o` is a private key, without naming the field: the pass every object but a Secret
 * takes (naming builds a path per value, which only an object that holds a key needs).
 */
function holdsKey(o: unknown): boolean {
  const stack: unknown[] = [o];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (PEM_PRIVATE_KEY.test(v)) return true;
    } else if (Array.isArray(v)) {
      for (const it of v) stack.push(it);
    } else if (v && typeof v === 'object') {
      for (const k of Object.keys(v)) stack.push((v as any)[k]);
    }
  }
  return false;
}

/** The fields of `o` that hold a private key: any string (depth-first), and the base64 `data` of a Secret. */
function keysIn(o: unknown): string[] {
  const found: string[] = [];
  const secret = (o as any)?.kind === 'Secret' && (o as any)?.apiVersion === 'v1';
  if (!secret && !holdsKey(o)) return found;
  const stack: Array<[unknown, string]> = [[o, '']];
  while (stack.length) {
    const [v, at] = stack.pop()!;
    if (typeof v === 'string') {
      if (isKey(v, secret && at.startsWith('data.'))) found.push(at);
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${at}[${i}]`]);
    } else if (v && typeof v === 'object') {
      for (const k of Object.keys(v).reverse()) stack.push([(v as any)[k], at ? `${at}.${k}` : k]);
    }
  }
  return found;
}

/** Every private key in `files` (file name -> the objects it holds). */
export function findPrivateKeys(files: Iterable<readonly [string, readonly unknown[]]>): PrivateKeyFinding[] {
  const findings: PrivateKeyFinding[] = [];
  for (const [file, objects] of files) {
    for (const o of objects) {
      for (const field of keysIn(o)) findings.push({ file, object: describeObject(o), field });
    }
  }
  return findings;
}

/** The flag that lets private keys through. */
export const ALLOW_PRIVATE_KEYS = '--allow-private-keys';

/** Why synth refuses to write `findings` into `shown`, and how to proceed. */
export function privateKeyMessage(findings: readonly PrivateKeyFinding[], shown: string): string {
  const where = findings.slice(0, 5).map((f) => `${f.object} (${quote(f.field)}) in ${quote(f.file)}`).join(', ');
  const more = findings.length > 5 ? ` and ${findings.length - 5} more` : '';
  return `refusing to write a private key into ${shown}: ${where}${more}. Files in an output folder end up in git, and a key `
    + 'committed to git can be read by everyone who can clone the repository, for good (deleting it later leaves it in the history). '
    + 'Keep keys out of the manifests: TlsCredential.fromExistingSecret (a Secret made in the cluster) or TlsCredential.fromCertManager; '
    + `for a throw-away cluster whose manifests never leave this machine, run synth with ${ALLOW_PRIVATE_KEYS}. ${shown} was left untouched`;
}

/** The warning printed when private keys are written with the flag. */
export function privateKeyWarning(findings: readonly PrivateKeyFinding[], shown: string): string {
  return `warning: writing ${findings.length} private key(s) into ${shown} (${ALLOW_PRIVATE_KEYS}): never commit these files or let them leave this machine`;
}
