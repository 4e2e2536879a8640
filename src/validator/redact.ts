/**
 * Secret values never reach a finding or a read error. Redaction is structural, by where a value is, never
 * by what it looks like or what other text it resembles:
 *
 * 1. the schema walker never quotes a value under a Secret's `data` / `stringData` (`isSecretDataField`,
 *    used by structural.ts through schema-check.ts): it describes it (`describeSecretValue`: its type, its
 *    length, and for a long value a short fingerprint);
 * 2. the rules that read Secret values (the certificate checks of pitfalls.ts) report what they derive from
 *    them (subjects, SANs), never the values;
 * 3. parse errors (read.ts) carry a position and a message of their own, never a code frame or text of the
 *    file: when a file does not parse, whether it holds a Secret cannot be told.
 *
 * Nothing compares the text of findings with Secret values: a finding about another object shows that
 * object's own values as they are, whether or not a Secret holds the same text (matching text would tell
 * whether a guess occurs in a Secret).
 */
import { createHash } from 'crypto';

/**
 * Shortest string that gets a fingerprint. Key material, certificates and tokens are longer; a short value
 * (a PIN, a password) is described by type and length only, as a fingerprint of it could be matched
 * against guesses offline.
 */
const FINGERPRINTED = 32;

/** true when `field` (a finding's field path) is the `data` / `stringData` of a Secret or lies under it. */
export function isSecretDataField(kind: string, field: string): boolean {
  return kind === 'Secret' && /^(data|stringData)(?=$|[.[])/.test(field);
}

/**
 * A value from a Secret, described without any of its content: `(redacted: a string of 1704 characters,
 * sha256 1a2b3c4d)`, `(redacted: an integer)`, `(redacted: an object with 2 keys)`. The fingerprint (the
 * first 8 hex digits of the SHA-256 of the string's UTF-8 bytes) lets a user tell which value is meant
 * (`printf %s "$VALUE" | sha256sum`), for strings of 32 characters or more only.
 */
export function describeSecretValue(v: unknown): string {
  return `(redacted: ${describe(v)})`;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') {
    const n = [...v].length;
    const what = `a string of ${n} character${n === 1 ? '' : 's'}`;
    return n >= FINGERPRINTED ? `${what}, sha256 ${createHash('sha256').update(v, 'utf8').digest('hex').slice(0, 8)}` : what;
  }
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a number';
  if (typeof v === 'boolean') return 'a boolean';
  if (Array.isArray(v)) return `an array of ${v.length} item${v.length === 1 ? '' : 's'}`;
  if (typeof v === 'object') {
    const n = Object.keys(v as object).length;
    return `an object with ${n} key${n === 1 ? '' : 's'}`;
  }
  return typeof v;
}
