/**
 * Secret values never reach a finding. Two layers:
 *
 * 1. the schema walker never quotes a value under a Secret's `data` / `stringData`
 *    (`isSecretDataField`, used by structural.ts through schema-check.ts);
 * 2. every finding passes through Reporter.add, which cuts out of its message, fix and field any run of
 *    `GRAM` or more characters that also occurs in a value under a Secret's `data` / `stringData` of the
 *    run (`SecretValues.scrub`), whatever rule quoted it and however it was escaped (raw or JSON).
 */

/** What stands in for a secret value in findings. */
export const REDACTED = '(redacted)';

/** Shortest run of characters of a secret value that layer 2 recognizes. */
const GRAM = 6;

/** true when `field` (a finding's field path) is the `data` / `stringData` of a Secret or lies under it. */
export function isSecretDataField(kind: string, field: string): boolean {
  return kind === 'Secret' && /^(data|stringData)(?=$|[.[])/.test(field);
}

/** The values under the `data` / `stringData` of the Secrets among `objects`, for scrubbing text. */
export class SecretValues {
  private readonly grams = new Set<string>();

  constructor(objects: readonly unknown[]) {
    for (const o of objects) {
      if (!o || typeof o !== 'object' || (o as any).kind !== 'Secret') continue;
      for (const field of ['data', 'stringData']) {
        const m = (o as any)[field];
        if (m && typeof m === 'object' && !Array.isArray(m)) {
          for (const v of Object.values(m)) this.addValue(v); // the keys name files, they are not secret
        } else if (m !== undefined && m !== null) {
          this.addValue(m);
        }
      }
    }
  }

  /** Whether any secret value is known (scrubbing is a no-op otherwise). */
  get empty(): boolean {
    return this.grams.size === 0;
  }

  private addValue(v: unknown, depth = 0): void {
    if (depth > 64) return;
    if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        this.addString(k);
        this.addValue(x, depth + 1);
      }
      return;
    }
    if (v === undefined || v === null) return;
    const s = String(v);
    this.addString(s);
    const json = JSON.stringify(s).slice(1, -1);
    if (json !== s) this.addString(json);
  }

  private addString(s: string): void {
    for (let i = 0; i + GRAM <= s.length; i++) this.grams.add(s.slice(i, i + GRAM));
  }

  /** `text` with every run of GRAM+ characters that occurs in a secret value replaced by REDACTED. */
  scrub(text: string): string {
    if (this.grams.size === 0 || text.length < GRAM) return text;
    const hit = new Uint8Array(text.length);
    let any = false;
    for (let i = 0; i + GRAM <= text.length; i++) {
      if (this.grams.has(text.slice(i, i + GRAM))) {
        hit.fill(1, i, i + GRAM);
        any = true;
      }
    }
    if (!any) return text;
    let out = '';
    for (let i = 0; i < text.length;) {
      if (!hit[i]) {
        out += text[i++];
        continue;
      }
      while (i < text.length && hit[i]) i++;
      out += REDACTED;
    }
    return out;
  }
}
