/**
 * A small walker for Kubernetes structural schemas (OpenAPI v3 subset used by CRDs and by the
 * upstream built-in definitions in imports/validation/k8s.json). It behaves like the API server
 * with `kubectl apply --validate=strict`: unknown fields are errors, x-kubernetes-preserve-unknown-fields
 * and x-kubernetes-int-or-string are honoured, and type/enum/required/min/max/pattern/format and
 * list-type uniqueness are checked. x-kubernetes-validations (CEL) rules met on the way are collected
 * so that the caller can evaluate them on structurally valid nodes.
 */
import { describeSecretValue } from '../../redact';
import { defineRule, type Rule } from '../rule';

export const SCHEMA_UNKNOWN_FIELD = defineRule({
  id: 'schema/unknown-field',
  family: 'schema',
  severity: 'error',
  description: 'Field not declared by the schema (rejected like kubectl apply --validate=strict).',
  source: 'Kubernetes structural schema, field validation Strict',
});

export const SCHEMA_TYPE = defineRule({
  id: 'schema/type',
  family: 'schema',
  severity: 'error',
  description: 'Value has the wrong type (including x-kubernetes-int-or-string).',
  source: 'Kubernetes structural schema (OpenAPI v3 type)',
});

export const SCHEMA_ENUM = defineRule({
  id: 'schema/enum',
  family: 'schema',
  severity: 'error',
  description: 'Value is not one of the enum values of the schema.',
  source: 'Kubernetes structural schema (OpenAPI v3 enum)',
});

export const SCHEMA_REQUIRED = defineRule({
  id: 'schema/required',
  family: 'schema',
  severity: 'error',
  description: 'A required field is missing.',
  source: 'Kubernetes structural schema (OpenAPI v3 required)',
});

export const SCHEMA_RANGE = defineRule({
  id: 'schema/range',
  family: 'schema',
  severity: 'error',
  description: 'minimum/maximum, minLength/maxLength, minItems/maxItems or min/maxProperties violated.',
  source: 'Kubernetes structural schema (OpenAPI v3 value validations)',
});

export const SCHEMA_PATTERN = defineRule({
  id: 'schema/pattern',
  family: 'schema',
  severity: 'error',
  description: 'String does not match the schema pattern.',
  source: 'Kubernetes structural schema (OpenAPI v3 pattern)',
});

export const SCHEMA_FORMAT = defineRule({
  id: 'schema/format',
  family: 'schema',
  severity: 'error',
  description: 'Value does not match the schema format (int32, int64, date-time, byte).',
  source: 'Kubernetes structural schema (OpenAPI v3 format)',
});

export const SCHEMA_DUPLICATE = defineRule({
  id: 'schema/duplicate',
  family: 'schema',
  severity: 'error',
  description: 'Duplicate entries in an x-kubernetes-list-type set or map list.',
  source: 'Kubernetes structural schema (x-kubernetes-list-type)',
});

export const SCHEMA_ONE_OF = defineRule({
  id: 'schema/one-of',
  family: 'schema',
  severity: 'error',
  description: 'oneOf/anyOf/allOf/not constraint violated (Istio: mutually exclusive fields).',
  source: 'Kubernetes structural schema (OpenAPI v3 combinators)',
});

export type Schema = { [key: string]: any };

export interface StructuralIssue {
  readonly rule: Rule;
  readonly field: string;
  readonly message: string;
  readonly fix: string;
}

export interface CelSite {
  readonly field: string;
  readonly schema: Schema;
  readonly value: unknown;
  readonly rules: ReadonlyArray<{ rule: string; message?: string; messageExpression?: string; fieldPath?: string; reason?: string }>;
}

export interface WalkContext {
  readonly issues: StructuralIssue[];
  readonly celSites: CelSite[];
  readonly defs?: { [name: string]: Schema };
  /** Paths whose values must never be quoted in messages (a Secret's data, see redact.ts). */
  readonly redact?: (path: string) => boolean;
}

const regexCache = new Map<string, RegExp | null>();
function regex(pattern: string): RegExp | null {
  let r = regexCache.get(pattern);
  if (r === undefined) {
    try {
      r = new RegExp(pattern, 'u');
    } catch {
      try {
        r = new RegExp(pattern);
      } catch {
        r = null;
      }
    }
    regexCache.set(pattern, r);
  }
  return r;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
export function childPath(base: string, key: string): string {
  if (IDENT.test(key)) return base ? `${base}.${key}` : key;
  return `${base}[${JSON.stringify(key)}]`;
}

export function resolveRef(schema: Schema, defs?: { [name: string]: Schema }): Schema {
  let s = schema;
  let guard = 0;
  while (s && s.$ref && defs && guard++ < 10) {
    const d = defs[s.$ref];
    if (!d) break;
    s = d;
  }
  return s;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(type: string, v: unknown): boolean {
  switch (type) {
    case 'object': return v !== null && typeof v === 'object' && !Array.isArray(v);
    case 'array': return Array.isArray(v);
    case 'string': return typeof v === 'string';
    case 'integer': return typeof v === 'number' && Number.isInteger(v);
    case 'number': return typeof v === 'number' && Number.isFinite(v);
    case 'boolean': return typeof v === 'boolean';
    default: return true;
  }
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
function formatOk(format: string, v: unknown): boolean {
  switch (format) {
    case 'int32': return typeof v !== 'number' || (v >= -2147483648 && v <= 2147483647);
    case 'int64': return typeof v !== 'number' || Number.isSafeInteger(v) || Math.abs(v) < 9.3e18;
    case 'date-time': return typeof v !== 'string' || DATE_TIME.test(v);
    case 'byte': return typeof v !== 'string' || (v.replace(/\s/g, '').length % 4 === 0 && BASE64.test(v.replace(/\s/g, '')));
    default: return true;
  }
}

function quote(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 80 ? s.slice(0, 77) + '...' : s;
}

/** Boolean schema match used for allOf/anyOf/oneOf/not (value validation only). */
export function matches(schema: Schema, v: unknown, defs?: { [name: string]: Schema }): boolean {
  const s = resolveRef(schema, defs);
  if (!s) return true;
  if (s.type && v !== undefined && !typeMatches(s.type, v)) return false;
  if (s.enum && !s.enum.some((e: unknown) => e === v)) return false;
  if (Array.isArray(s.required) && v && typeof v === 'object') {
    for (const r of s.required) if ((v as any)[r] === undefined) return false;
  }
  if (s.properties && v && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, ps] of Object.entries<Schema>(s.properties)) {
      const pv = (v as any)[k];
      if (pv !== undefined && !matches(ps, pv, defs)) return false;
    }
  }
  if (s.items && Array.isArray(v)) for (const it of v) if (!matches(s.items, it, defs)) return false;
  if (s.allOf && !s.allOf.every((x: Schema) => matches(x, v, defs))) return false;
  if (s.anyOf && !s.anyOf.some((x: Schema) => matches(x, v, defs))) return false;
  if (s.oneOf && s.oneOf.filter((x: Schema) => matches(x, v, defs)).length !== 1) return false;
  if (s.not && matches(s.not, v, defs)) return false;
  return true;
}

function describeOneOf(s: Schema): string {
  // Istio encodes "only one of a, b" as oneOf: [{not: {anyOf: [{required:[a]},{required:[b]}]}}, {required:[a]}, {required:[b]}]
  const names = new Set<string>();
  const collect = (x: Schema) => {
    if (!x || typeof x !== 'object') return;
    if (Array.isArray(x.required)) x.required.forEach((r: string) => names.add(r));
    for (const k of ['oneOf', 'anyOf', 'allOf']) if (Array.isArray(x[k])) x[k].forEach(collect);
    if (x.not) collect(x.not);
  };
  collect(s);
  return [...names].join(', ');
}

/** Records an issue at `path` (the root when empty). */
function addIssue(ctx: WalkContext, path: string, rule: Rule, message: string, fix: string): void {
  ctx.issues.push({ rule, field: path || '(root)', message, fix });
}
/** A value as a finding quotes it, or as it is described when `path` is a Secret's data (redact.ts). */
function shown(ctx: WalkContext, path: string, x: unknown): string {
  return ctx.redact?.(path) ? describeSecretValue(x) : quote(x);
}
/** The length of `text` in code points, as `[...text].length` counts it, without making the array. */
function codePoints(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // a high surrogate followed by a low one is one code point; a lone surrogate is one too
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/**
 * Validates `v` against `schema`; returns false when the node itself has a type error
 * (so that CEL rules are not evaluated on it).
 */
export function walk(schema: Schema, v: unknown, path: string, ctx: WalkContext): boolean {
  const s = resolveRef(schema, ctx.defs);
  if (!s) return true;

  if (v === null) {
    if (s.nullable || ctx.defs) return true; // built-in objects: null means absent
    addIssue(ctx, path, SCHEMA_TYPE, `null is not allowed here (expected ${s.type ?? 'a value'})`, 'Remove the field or give it a value.');
    return false;
  }

  if (s['x-kubernetes-int-or-string']) {
    if (!(typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v)))) {
      addIssue(ctx, path, SCHEMA_TYPE, `expected an integer or a string, got ${typeOf(v)} ${shown(ctx, path, v)}`, 'Use an integer port number or a named port (string).');
      return false;
    }
  } else if (s.type && !typeMatches(s.type, v)) {
    addIssue(ctx, path, SCHEMA_TYPE, `expected ${s.type}, got ${typeOf(v)} ${shown(ctx, path, v)}`, `Change the value to a ${s.type}.`);
    return false;
  }

  let ok = true;
  if (s.enum && !s.enum.some((e: unknown) => e === v)) {
    addIssue(ctx, path, SCHEMA_ENUM, `unsupported value ${shown(ctx, path, v)}; supported values: ${s.enum.map((e: unknown) => JSON.stringify(e)).join(', ')}`, 'Use one of the supported values.');
    ok = false;
  }

  if (typeof v === 'string') {
    const len = s.minLength !== undefined || s.maxLength !== undefined ? codePoints(v) : 0;
    if (s.minLength !== undefined && len < s.minLength) addIssue(ctx, path, SCHEMA_RANGE, `must be at least ${s.minLength} characters long`, 'Give a longer value.');
    if (s.maxLength !== undefined && len > s.maxLength) addIssue(ctx, path, SCHEMA_RANGE, `must be at most ${s.maxLength} characters long (is ${len})`, 'Shorten the value.');
    if (s.pattern) {
      const r = regex(s.pattern);
      if (r && !r.test(v)) addIssue(ctx, path, SCHEMA_PATTERN, `${shown(ctx, path, v)} does not match the pattern ${s.pattern}`, 'Change the value to match the pattern.');
    }
    if (s.format && !formatOk(s.format, v)) addIssue(ctx, path, SCHEMA_FORMAT, `${shown(ctx, path, v)} is not a valid ${s.format}`, `Give a valid ${s.format} value.`);
  } else if (typeof v === 'number') {
    if (s.minimum !== undefined && (s.exclusiveMinimum === true ? v <= s.minimum : v < s.minimum)) addIssue(ctx, path, SCHEMA_RANGE, `${shown(ctx, path, v)} is below the minimum ${s.minimum}`, `Use a value >= ${s.minimum}.`);
    if (s.maximum !== undefined && (s.exclusiveMaximum === true ? v >= s.maximum : v > s.maximum)) addIssue(ctx, path, SCHEMA_RANGE, `${shown(ctx, path, v)} is above the maximum ${s.maximum}`, `Use a value <= ${s.maximum}.`);
    if (s.format && !formatOk(s.format, v)) addIssue(ctx, path, SCHEMA_FORMAT, `${shown(ctx, path, v)} is out of range for ${s.format}`, `Use a value that fits ${s.format}.`);
  } else if (Array.isArray(v)) {
    if (s.minItems !== undefined && v.length < s.minItems) addIssue(ctx, path, SCHEMA_RANGE, `must have at least ${s.minItems} item(s)`, 'Add items.');
    if (s.maxItems !== undefined && v.length > s.maxItems) addIssue(ctx, path, SCHEMA_RANGE, `must have at most ${s.maxItems} item(s) (has ${v.length})`, 'Remove items.');
    if (s.items) v.forEach((it, i) => walk(s.items, it, `${path}[${i}]`, ctx));
    const lt = s['x-kubernetes-list-type'];
    if (lt === 'set') {
      const seen = new Set<string>();
      v.forEach((it, i) => {
        const k = JSON.stringify(it);
        if (seen.has(k)) addIssue(ctx, path, SCHEMA_DUPLICATE, `duplicate entry ${shown(ctx, path, it)} at index ${i} in a set-type list`, 'Remove the duplicate entry.');
        seen.add(k);
      });
    } else if (lt === 'map' && Array.isArray(s['x-kubernetes-list-map-keys'])) {
      const keys: string[] = s['x-kubernetes-list-map-keys'];
      const seen = new Set<string>();
      v.forEach((it, i) => {
        const k = JSON.stringify(keys.map(key => (it as any)?.[key]));
        if (seen.has(k)) addIssue(ctx, path, SCHEMA_DUPLICATE, `duplicate entry with ${keys.join('/')} = ${ctx.redact?.(path) ? describeSecretValue(keys.map(key => (it as any)?.[key])) : k} at index ${i}`, 'Entries of this list must be unique by ' + keys.join(', ') + '.');
        seen.add(k);
      });
    }
  } else if (typeof v === 'object') {
    const obj = v as { [k: string]: unknown };
    const keys = Object.keys(obj);
    if (s.minProperties !== undefined && keys.length < s.minProperties) addIssue(ctx, path, SCHEMA_RANGE, `must have at least ${s.minProperties} entr(y/ies)`, 'Add entries.');
    if (s.maxProperties !== undefined && keys.length > s.maxProperties) addIssue(ctx, path, SCHEMA_RANGE, `must have at most ${s.maxProperties} entr(y/ies)`, 'Remove entries.');
    if (Array.isArray(s.required)) {
      for (const r of s.required) {
        if (obj[r] === undefined || obj[r] === null) ctx.issues.push({ rule: SCHEMA_REQUIRED, field: childPath(path, r), message: `required field "${r}" is missing`, fix: `Set ${childPath(path, r)}.` });
      }
    }
    const props: { [k: string]: Schema } | undefined = s.properties;
    const ap = s.additionalProperties;
    const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
    for (const k of keys) {
      const pv = obj[k];
      // the API server drops a field set to null (a custom resource's pruning of non-nullable nulls; a built-in's decoding)
      if (pv === undefined || (pv === null && !(ps0(props, k)?.nullable))) continue;
      const ps = props ? props[k] : undefined;
      const cp = childPath(path, k);
      if (ps) {
        walk(ps, pv, cp, ctx);
      } else if (ap && typeof ap === 'object') {
        walk(ap, pv, cp, ctx);
      } else if (ap === true || preserve) {
        // unknown fields allowed
      } else if (!props && !ap && s.type === 'object' && !s.$ref) {
        ctx.issues.push({ rule: SCHEMA_UNKNOWN_FIELD, field: cp, message: `unknown field "${k}"`, fix: `Remove ${cp}; the schema of this object declares no fields.` });
      } else {
        const known = props ? Object.keys(props) : [];
        const near = known.filter(n => n.toLowerCase() === k.toLowerCase() || levenshtein(n, k) <= 2);
        ctx.issues.push({ rule: SCHEMA_UNKNOWN_FIELD, field: cp, message: `unknown field "${k}"`, fix: near.length ? `Did you mean ${near.map(n => `"${n}"`).join(' or ')}?` : `Remove ${cp}; known fields here: ${known.join(', ') || '(none)'}.` });
      }
    }
  }

  if (s.allOf || s.anyOf || s.oneOf || s.not) {
    const bad = (s.allOf && !s.allOf.every((x: Schema) => matches(x, v, ctx.defs)))
      || (s.anyOf && !s.anyOf.some((x: Schema) => matches(x, v, ctx.defs)))
      || (s.oneOf && s.oneOf.filter((x: Schema) => matches(x, v, ctx.defs)).length !== 1)
      || (s.not && matches(s.not, v, ctx.defs));
    if (bad) {
      const names = describeOneOf(s);
      addIssue(ctx, path, SCHEMA_ONE_OF, names ? `at most one of the fields ${names} may be set` : 'value does not satisfy the schema combinators (oneOf/anyOf/allOf/not)', names ? `Keep only one of ${names}.` : 'Check the field against the CRD.');
      ok = false;
    }
  }

  if (ok && s['x-kubernetes-validations']) {
    ctx.celSites.push({ field: path, schema: s, value: v, rules: s['x-kubernetes-validations'] });
  }
  return ok;
}

function levenshtein(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) d.push([i]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}

function ps0(props: { [k: string]: Schema } | undefined, k: string): Schema | undefined {
  return props ? props[k] : undefined;
}
