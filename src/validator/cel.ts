/**
 * Evaluation of x-kubernetes-validations rules with @bufbuild/cel, typed like the Kubernetes
 * API server does: schema integers are CEL ints, objects and maps are CEL maps, `self` is the
 * node carrying the rule. Rules that mention `oldSelf` are transition rules; on create they are
 * not evaluated by the API server, so they are skipped here too.
 *
 * Kubernetes CEL library functions used by the kept Istio/cert-manager/Gateway API CRDs that are not
 * in @bufbuild/cel are implemented in cel-functions.ts and bound here: isURL(string), url(string) and
 * <URL>.getScheme() (URL values are represented as their string form), isIP(string) and isCIDR(string). The strings extension
 * supplies substring() and split(). A rule that calls any other unknown function is reported as not
 * compiled (cel/unsupported), never evaluated to an "unbound function" error.
 *
 * Like the API server, which applies the structural schema's defaults before it evaluates the rules,
 * toCel() fills absent properties that have a `default` (Gateway API rules rely on it: an HTTPRoute
 * rule without `matches` is validated as if it had the default PathPrefix "/" match).
 *
 * evalRule() first runs a rule's fast program (cel-fast.ts: its stored tree compiled into closures), which
 * decides only where its answer cannot differ from the interpreter's; on any other value the rule goes to
 * @bufbuild/cel, which is loaded when the first rule is compiled for it (celLib() of cel-ast.ts), not with this
 * module: a validation whose rules the fast path decides never loads it.
 */
import * as path from 'path';
import { celLib, decodeAst, parserVersion, type CelLib, type ParsedRule } from './cel-ast';
import { compileFast, type CelExprNode, type FastProgram } from './cel-fast';
import { isCidr, isIp, isUrl, schemeOf } from './cel-functions';
import { JsonEntries, readText } from './json-entries';
import { DEFAULT_RELEASE, type IstioRelease } from './rules/rule';
import { validationDataDir } from './schemas';
import type { Schema } from './rules/schema/structural';

type Program = (ctx: { self: unknown }) => unknown;
export type CompiledRule = { ok: true; program: Program } | { ok: false; reason: string; transition?: boolean };

/** The Kubernetes CEL library functions of cel-functions.ts, for the environment. */
function k8sFuncs() {
  const { celFunc, celMethod, CelScalar } = celLib();
  return [
    celFunc('isURL', [CelScalar.STRING], CelScalar.BOOL, (s: string) => isUrl(s)),
    celFunc('url', [CelScalar.STRING], CelScalar.STRING, (s: string) => {
      if (!isUrl(s)) throw new Error(`URL parse error during conversion from string: ${s}`);
      return s;
    }),
    celMethod('getScheme', CelScalar.STRING, [], CelScalar.STRING, function (this: string) {
      return schemeOf(this);
    }),
    celFunc('isIP', [CelScalar.STRING], CelScalar.BOOL, (s: string) => isIp(s)),
    celFunc('isCIDR', [CelScalar.STRING], CelScalar.BOOL, (s: string) => isCidr(s)),
  ];
}

// Calls that the planner handles itself (not looked up among the functions).
const PLANNER_CALLS = new Set(['_[_]', '_[?_]', '_?._', '_?_:_', '_&&_', '_||_', '@not_strictly_false', '__not_strictly_false__']);
const bound = new Map<string, boolean>();
/** Whether the planner or the environment defines the function `name` (answers memoized: rules share their functions). */
function isBound(name: string): boolean {
  let b = bound.get(name);
  if (b === undefined) {
    b = PLANNER_CALLS.has(name) || Boolean(env().funcs.find(name));
    bound.set(name, b);
  }
  return b;
}
/** Names of the functions a parsed rule calls that the environment does not define. */
function unboundFunctions(node: unknown, out: Set<string> = new Set()): Set<string> {
  if (!node || typeof node !== 'object') return out;
  if (Array.isArray(node)) {
    for (const n of node) unboundFunctions(n, out);
    return out;
  }
  const n = node as { $typeName?: string; exprKind?: { case?: string; value?: { function?: string } } };
  if (n.$typeName === 'cel.expr.Expr' && n.exprKind?.case === 'callExpr') {
    const name = n.exprKind.value?.function ?? '';
    if (!isBound(name)) out.add(name);
  }
  for (const k in n) {
    const v = (n as Record<string, unknown>)[k];
    if (k !== 'sourceInfo' && v !== null && typeof v === 'object') unboundFunctions(v, out);
  }
  return out;
}

let envCache: ReturnType<CelLib['celEnv']> | undefined;
function env() {
  if (!envCache) envCache = celLib().celEnv({ funcs: [...celLib().strings, ...k8sFuncs()] });
  return envCache;
}

/** The syntax trees of cel-<release>.json and the parser that wrote them (null: no such file). */
interface StoredTrees { readonly trees: JsonEntries<string>; readonly parser: string | undefined }
const stored = new Map<IstioRelease, StoredTrees | null>();
function storedTrees(release: IstioRelease): StoredTrees | null {
  let t = stored.get(release);
  if (t === undefined) {
    t = null;
    try {
      const text = readText(path.join(validationDataDir(), `cel-${release}.json`));
      // the version is the first entry: read it without parsing the file
      const parser = /^\{\n {2}"parser": ("[^"\n]*"),\n/.exec(text);
      const data = parser ? { parser: JSON.parse(parser[1]) } : JSON.parse(text);
      t = { trees: new JsonEntries<string>(text, 'rules'), parser: data.parser };
    } catch {
      // no cel-<release>.json (an older validation folder): every rule is parsed
    }
    stored.set(release, t);
  }
  return t;
}

/**
 * The syntax tree of `rule` that `npm run import` stored in cel-<release>.json (cel-ast.ts) of the release
 * whose CRDs hold the rule, if it holds one made by this parser; else the rule is parsed here. A tree depends
 * on the rule's text only, so a rule compiled for one release serves every release.
 */
function parseRule(rule: string, release: IstioRelease): ParsedRule {
  const t = storedTrees(release);
  const text = t && t.parser !== undefined && t.parser === parserVersion() ? t.trees.get(rule) : undefined;
  return text === undefined ? celLib().parse(rule) : decodeAst(text);
}

const fastPrograms = new Map<string, FastProgram | null>();
/**
 * The fast program of `rule` (cel-fast.ts), compiled from its stored tree, whichever parser version wrote it (the
 * tree's meaning does not depend on it); null when there is no stored tree or the fast path does not take it.
 */
function fastProgram(rule: string, release: IstioRelease): FastProgram | null {
  let f = fastPrograms.get(rule);
  if (f !== undefined) return f;
  f = null;
  const text = storedTrees(release)?.trees.get(rule);
  if (text !== undefined) {
    try {
      f = compileFast((decodeAst(text) as unknown as { expr: CelExprNode }).expr) ?? null;
    } catch {
      f = null;
    }
  }
  // a rule without a tree in this release's file may have one in another's: only a found tree is final
  if (f || text !== undefined) fastPrograms.set(rule, f);
  return f;
}

const TRANSITION = /\boldSelf\b/;
const compiled = new Map<string, CompiledRule>();
/** Compiles `rule`, a CEL rule of the CRDs of `release`. */
export function compileRule(rule: string, release: IstioRelease = DEFAULT_RELEASE): CompiledRule {
  let c = compiled.get(rule);
  if (c) return c;
  if (TRANSITION.test(rule)) {
    c = { ok: false, transition: true, reason: 'transition rule (uses oldSelf): not evaluated on create' };
  } else {
    try {
      const parsed = parseRule(rule, release);
      const unbound = [...unboundFunctions(parsed)];
      if (unbound.length) {
        c = { ok: false, reason: `cannot compile: unsupported function(s) ${unbound.join(', ')}` };
      } else {
        c = { ok: true, program: celLib().plan(env(), parsed) as unknown as Program };
      }
    } catch (e) {
      c = { ok: false, reason: `cannot compile: ${(e as Error).message}` };
    }
  }
  compiled.set(rule, c);
  return c;
}

/**
 * Converts a JSON value into CEL input according to its schema (integers become bigint), with the
 * schema's defaults filled in for absent properties, as the API server does before validation.
 */
export function toCel(schema: Schema | undefined, v: unknown): unknown {
  if (v === null || v === undefined) return v ?? null;
  if (typeof v === 'number') {
    const t = schema?.type;
    if (t === 'number') return v;
    if (t === 'integer' || schema?.['x-kubernetes-int-or-string'] || Number.isInteger(v)) return Number.isInteger(v) ? BigInt(v) : v;
    return v;
  }
  if (Array.isArray(v)) return v.map(it => toCel(schema?.items, it));
  if (typeof v === 'object') {
    const m = new Map<string, unknown>();
    const props = schema?.properties;
    const ap = schema?.additionalProperties;
    for (const [k, pv] of Object.entries(v as object)) {
      if (pv === undefined) continue;
      m.set(k, toCel(props?.[k] ?? (typeof ap === 'object' ? ap : undefined), pv));
    }
    for (const [k, ps] of Object.entries<Schema>(props ?? {})) {
      if (ps?.default !== undefined && (v as Record<string, unknown>)[k] === undefined) m.set(k, toCel(ps, ps.default));
    }
    return m;
  }
  return v;
}

export type RuleOutcome = { status: 'pass' } | { status: 'fail' } | { status: 'skipped'; reason: string; transition?: boolean } | { status: 'error'; reason: string };

export function evalRule(rule: string, schema: Schema, value: unknown, celValue?: unknown, release: IstioRelease = DEFAULT_RELEASE): RuleOutcome {
  let self = celValue;
  if (!TRANSITION.test(rule)) {
    const fast = fastProgram(rule, release);
    if (fast) {
      if (self === undefined) self = toCel(schema, value);
      const r = fast(self);
      if (r !== undefined) return { status: r ? 'pass' : 'fail' };
      // the fast path does not decide on this value: the interpreter does, with its own answer or error
    }
  }
  const c = compileRule(rule, release);
  if (!c.ok) return { status: 'skipped', reason: c.reason, transition: c.transition };
  let r: unknown;
  try {
    r = c.program({ self: self !== undefined ? self : toCel(schema, value) });
  } catch (e) {
    return { status: 'error', reason: (e as Error).message };
  }
  if (r === true) return { status: 'pass' };
  if (r === false) return { status: 'fail' };
  if (celLib().isCelError(r)) return { status: 'error', reason: r.message };
  return { status: 'error', reason: `rule did not evaluate to a bool (got ${String(r)})` };
}
