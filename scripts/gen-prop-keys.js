#!/usr/bin/env node
/*
 * Writes src/private/prop-keys.generated.ts: the prop names of every props interface, read from the
 * TypeScript interfaces themselves with the TypeScript compiler API, so that a props interface is the only
 * declaration of its props and the unknown-prop check (checkProps in src/private/props.ts) follows it.
 *
 * Which interfaces: every struct (an interface whose name is not `I` + capital, jsii's mark of a behavioural
 * interface) that src/index.ts exports, and cdk8s's ChartProps and AppProps, which the repository's task app
 * (app/) checks. Each list holds the inherited props first (base interfaces in `extends` order, depth first),
 * then the interface's own, in declaration order: the order the "known props" of an error message show.
 *
 * Usage: node scripts/gen-prop-keys.js          write the file (npm run gen:prop-keys)
 *        node scripts/gen-prop-keys.js --check  exit 1 when the file is stale
 * test/private/prop-keys.test.ts runs the check in the unit suite.
 */
'use strict';
const fs = require('fs');
const path = require('path');
const ts = require('typescript');

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'src', 'private', 'prop-keys.generated.ts');
const ENTRY = path.join(ROOT, 'src', 'index.ts');
/** Props interfaces of other packages that code of this repository checks with checkProps. */
const EXTERNAL = [{ module: 'cdk8s', names: ['AppProps', 'ChartProps'] }];
const COMMAND = 'npm run gen:prop-keys';

/**
 * The program: src/ as the compiler sees it. The generated bindings of imports/ (2 MB of CRD types) are read
 * as empty modules: no props interface is declared there, and prop names do not depend on prop types.
 */
function program() {
  const options = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, strict: true, noEmit: true, types: [], noLib: true, skipLibCheck: true };
  const host = ts.createCompilerHost(options);
  const imports = path.join(ROOT, 'imports') + path.sep;
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (file, lang, ...rest) => (path.resolve(file).startsWith(imports)
    ? ts.createSourceFile(file, 'export {};', lang)
    : getSourceFile(file, lang, ...rest));
  return { prog: ts.createProgram([ENTRY], options, host), options, host };
}

/** The prop names of an interface type: inherited first (depth first), then its own, each once. */
function keysOf(checker, type, out = []) {
  if (type.isClassOrInterface()) {
    for (const base of checker.getBaseTypes(type)) keysOf(checker, base, out);
  }
  for (const prop of checker.getPropertiesOfType(type)) {
    if (!out.includes(prop.name)) out.push(prop.name);
  }
  return out;
}

function interfacesOf(checker, moduleSymbol, filter) {
  const found = [];
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    if (!(symbol.flags & ts.SymbolFlags.Interface) || !filter(exported.name)) continue;
    const decl = symbol.declarations.find(ts.isInterfaceDeclaration);
    found.push({ name: exported.name, file: decl.getSourceFile().fileName, keys: keysOf(checker, checker.getDeclaredTypeOfSymbol(symbol)) });
  }
  return found;
}

/** The interfaces and their keys. */
function collect() {
  const { prog, options, host } = program();
  const checker = prog.getTypeChecker();
  const entry = checker.getSymbolAtLocation(prog.getSourceFile(ENTRY));
  const structs = interfacesOf(checker, entry, (name) => !/^I[A-Z]/.test(name));
  for (const { module, names } of EXTERNAL) {
    const resolved = ts.resolveModuleName(module, ENTRY, options, host).resolvedModule;
    const file = resolved && prog.getSourceFile(resolved.resolvedFileName);
    if (!file) throw new Error(`gen-prop-keys: cannot resolve ${module} from src/index.ts`);
    const found = interfacesOf(checker, checker.getSymbolAtLocation(file), (name) => names.includes(name));
    const missing = names.filter((n) => !found.some((f) => f.name === n));
    if (missing.length) throw new Error(`gen-prop-keys: ${module} exports no interface ${missing.join(', ')}`);
    structs.push(...found.map((f) => ({ ...f, file: module })));
  }
  const seen = new Set();
  for (const s of structs) {
    if (seen.has(s.name)) throw new Error(`gen-prop-keys: two interfaces named ${s.name}`);
    seen.add(s.name);
  }
  return structs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Wraps quoted keys into lines of at most 120 characters. */
function wrap(keys, indent) {
  const lines = [];
  let line = '';
  for (const k of keys.map((key) => `'${key}',`)) {
    if (line && indent.length + line.length + 1 + k.length > 120) { lines.push(line); line = k; } else line = line ? `${line} ${k}` : k;
  }
  if (line) lines.push(line);
  return lines.map((l) => `${indent}${l}`).join('\n');
}

/** The text of src/private/prop-keys.generated.ts. */
function generate() {
  const entries = collect().map((s) => {
    const where = s.file.startsWith(ROOT) ? path.relative(ROOT, s.file).split(path.sep).join('/') : s.file;
    return `  /** \`${s.name}\` (${where}). */\n  ${s.name}: [\n${wrap(s.keys, '    ')}\n  ],`;
  });
  return [
    `// Generated by \`${COMMAND}\` (scripts/gen-prop-keys.js) from the props interfaces: do not edit.`,
    '// A props interface is the only declaration of its props: change the interface, then run the command;',
    '// test/private/prop-keys.test.ts fails while this file is stale.',
    '',
    '/**',
    ' * The prop names of each struct that src/index.ts exports, and of cdk8s\'s `AppProps` and `ChartProps`: what',
    ' * `checkProps` accepts. Inherited props first, then the interface\'s own, in declaration order.',
    ' *',
    ' * @internal',
    ' */',
    'export const PROP_KEYS = {',
    ...entries,
    '} as const;',
    '',
  ].join('\n');
}

module.exports = { generate, OUT, COMMAND };

if (require.main === module) {
  const text = generate();
  const rel = path.relative(ROOT, OUT);
  if (process.argv.includes('--check')) {
    const current = fs.existsSync(OUT) ? fs.readFileSync(OUT, 'utf8') : '';
    if (current !== text) {
      console.error(`${rel} is stale: run \`${COMMAND}\``);
      process.exit(1);
    }
    console.log(`${rel} is up to date`);
  } else {
    fs.writeFileSync(OUT, text);
    console.log(`wrote ${rel}`);
  }
}
