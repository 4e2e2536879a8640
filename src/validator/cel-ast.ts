/**
 * Parsed CEL rules as data: `npm run import` (scripts/extract-schemas.js) parses every CEL rule of the kept
 * CRDs once and stores the syntax trees in imports/validation/cel-<release>.json, so the validator plans them without
 * running the CEL parser (~0.5 ms a rule in a fresh process, which was most of the validator's first call).
 *
 * A tree is the parser's ParsedExpr (protobuf-es messages are plain objects) as JSON, with the int64 values
 * that JSON cannot hold written so that decodeAst() restores them exactly: an expression `id` as a number
 * (ids are small), any other bigint as `{"$n": "<decimal>"}`, bytes as `{"$b": "<base64>"}`, and a key whose
 * value is undefined as `{"$u": 1}`. decodeAst(encodeAst(parse(rule))) is deep-equal to parse(rule)
 * (test/validator-cel-ast.test.ts checks every rule of cel-<release>.json).
 *
 * @bufbuild/cel (with @bufbuild/protobuf and @bufbuild/re2, about 130 modules) is loaded on first use only,
 * by celLib(): a validation without a CEL rule never loads it. The compiled package loads it from one file,
 * lib/vendor/cel.js, which `npm run build` bundles from those packages (scripts/vendor.js): about half the
 * time of loading the packages' modules one by one, and with the V8 code cache of an earlier run
 * (common/code-cache.ts) in a fraction of that. Without that file (the tests, which run src/), the packages are
 * loaded.
 */
import * as fs from 'fs';
import * as path from 'path';
import type * as Cel from '@bufbuild/cel';
import type * as CelExt from '@bufbuild/cel/ext';
import { requireWithCodeCache } from '../common/code-cache';

export type ParsedRule = ReturnType<typeof Cel.parse>;

/** What the validator uses of @bufbuild/cel and @bufbuild/cel/ext, and the parser's `@bufbuild/cel <version>`. */
export type CelLib = typeof Cel & Pick<typeof CelExt, 'strings'> & { readonly version: string | undefined };

/** The bundle `npm run build` writes (scripts/vendor.js), relative to this module's folder in lib/src/validator/. */
const BUNDLE = path.join(__dirname, '..', '..', 'vendor', 'cel.js');

let lib: CelLib | undefined;
/** @bufbuild/cel, loaded on the first call: from lib/vendor/cel.js when it exists, else from the packages. */
export function celLib(): CelLib {
  if (lib) return lib;
  if (fs.existsSync(BUNDLE)) {
    lib = requireWithCodeCache(BUNDLE) as CelLib; // with the V8 code cache of an earlier run (common/code-cache.ts)
  } else {
    /* eslint-disable @typescript-eslint/no-require-imports */
    lib = { ...(require('@bufbuild/cel') as typeof Cel), strings: (require('@bufbuild/cel/ext') as typeof CelExt).strings, version: packageVersion() };
    /* eslint-enable @typescript-eslint/no-require-imports */
  }
  return lib;
}

/** Whether celLib() has loaded @bufbuild/cel in this module's instance (for the tests: a validation the fast path decides never does). */
export function celLibLoaded(): boolean {
  return lib !== undefined;
}

/**
 * The parser that runs here (`@bufbuild/cel <version>`), as cel-<release>.json records it: trees another version wrote
 * are not used. Undefined when its package.json cannot be found.
 */
export function parserVersion(): string | undefined {
  return celLib().version;
}

/** `@bufbuild/cel <version>` of the installed package, from its package.json. */
function packageVersion(): string | undefined {
  try {
    let dir = path.dirname(require.resolve('@bufbuild/cel'));
    for (;;) {
      const file = path.join(dir, 'package.json');
      if (fs.existsSync(file)) {
        const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
        if (pkg.name === '@bufbuild/cel') return `${pkg.name} ${pkg.version}`;
      }
      const up = path.dirname(dir);
      if (up === dir) return undefined;
      dir = up;
    }
  } catch {
    return undefined;
  }
}

/** The syntax tree of `rule` as a JSON text (see the module comment). */
export function encodeAst(parsed: ParsedRule): string {
  return JSON.stringify(parsed, function replace(this: any, key: string, v: unknown) {
    if (typeof v === 'bigint') return key === 'id' && v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= 0n ? Number(v) : { $n: v.toString() };
    if (v instanceof Uint8Array) return { $b: Buffer.from(v).toString('base64') };
    if (v === undefined && key !== '' && Object.prototype.hasOwnProperty.call(this, key)) return { $u: 1 };
    return v;
  });
}

/** The ParsedExpr that encodeAst() wrote. */
export function decodeAst(text: string): ParsedRule {
  return restore(JSON.parse(text)) as ParsedRule;
}

/** Restores the values JSON cannot hold, in place (a walk costs half of a JSON.parse reviver). */
function restore(v: any): unknown {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (v[i] !== null && typeof v[i] === 'object') v[i] = restore(v[i]);
    return v;
  }
  if (typeof v.$n === 'string') return BigInt(v.$n);
  if (typeof v.$b === 'string') return new Uint8Array(Buffer.from(v.$b, 'base64'));
  if (v.$u === 1) return undefined;
  for (const k in v) {
    const x = v[k];
    if (k === 'id' && typeof x === 'number') v[k] = BigInt(x);
    else if (x !== null && typeof x === 'object') v[k] = restore(x);
  }
  return v;
}

/** The encoded syntax trees of `rules`, by rule text, for cel-<release>.json; rules that do not parse are left out (they are reported at validation). */
export function precompileRules(rules: Iterable<string>): { parser: string | undefined; rules: { [rule: string]: string } } {
  const out: { [rule: string]: string } = {};
  for (const rule of [...new Set(rules)].sort()) {
    if (/\boldSelf\b/.test(rule)) continue; // transition rules are never compiled (cel.ts)
    let parsed: ParsedRule;
    try {
      parsed = celLib().parse(rule);
    } catch {
      continue;
    }
    out[rule] = encodeAst(parsed);
  }
  return { parser: parserVersion(), rules: out };
}
