#!/usr/bin/env node
'use strict';
// `npm run rosetta`: compiles every TypeScript example of the jsii assembly (written by `npm run build`) with
// jsii-rosetta in strict mode, so that one that does not compile fails: the ```ts blocks of README.md and the
// @example of every doc comment. rosetta/default.ts-fixture gives them an `app` and a `chart`; their own
// imports are hoisted above it. The translations (Python, Java, C#, Go) go into the tablet `.jsii.tabl.json`,
// which `npm run package:python` puts into the docstrings of the Python bindings. The Python of each example
// is also written to dist-jsii/rosetta/python/ and byte-compiled with `python3 -m py_compile` (skipped, with a
// note, where python3 is missing).
//
// Fails when rosetta fails, when a snippet did not compile or has no Python translation, or when the tablet
// holds fewer README snippets than README.md has ```ts blocks (none may be skipped).
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { root, runTool } = require('./jsii-tool');

/** Number of ```ts / ```typescript blocks in a Markdown text. */
function countTsBlocks(markdown) {
  return markdown.split('\n').filter((l) => /^\s*```(ts|typescript)(\s.*)?$/.test(l)).length;
}

/** A file name for a snippet location: `README-L44`, `TlsCredential.fromPem`. */
function snippetName(location) {
  const api = location.api;
  if (api.api === 'moduleReadme') return `README-L${location.field.line}`;
  const fqn = api.fqn.split('.').slice(1).join('.');
  return api.memberName ? `${fqn}.${api.memberName}` : fqn;
}

/**
 * Extracts and compiles the snippets of the assembly in `dir`; returns
 * `{ snippets: [{ name, didCompile, python }], readmeBlocks, output }` or throws with rosetta's output.
 */
function extract(dir = root) {
  const tablet = path.join(dir, '.jsii.tabl.json');
  fs.rmSync(tablet, { force: true }); // the implicit tablet is also a cache: start from the sources
  const res = runTool('jsii-rosetta', 'jsii-rosetta', ['extract', '--strict', path.join(dir, '.jsii')], { cwd: dir, capture: true });
  const output = `${res.stdout}${res.stderr}`;
  if (res.status !== 0) throw new Error(`jsii-rosetta extract --strict failed:\n${output}`);
  const tab = JSON.parse(fs.readFileSync(tablet, 'utf8'));
  const snippets = Object.values(tab.snippets).map((s) => ({
    name: snippetName(s.location),
    readme: s.location.api.api === 'moduleReadme',
    didCompile: s.didCompile === true,
    python: s.translations.python?.source,
  })).sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  const assembly = JSON.parse(fs.readFileSync(path.join(dir, '.jsii'), 'utf8'));
  return { snippets, readmeBlocks: countTsBlocks(assembly.readme?.markdown ?? ''), output };
}

/** Problems with an extraction: snippets that did not compile, lack Python, or README blocks left out. */
function problems(result) {
  const out = [];
  for (const s of result.snippets) {
    if (!s.didCompile) out.push(`${s.name}: did not compile`);
    if (!s.python || !s.python.trim()) out.push(`${s.name}: no Python translation`);
  }
  const readme = result.snippets.filter((s) => s.readme).length;
  if (readme !== result.readmeBlocks) out.push(`README.md has ${result.readmeBlocks} \`\`\`ts blocks but rosetta compiled ${readme}`);
  return out;
}

/** Writes the Python of each snippet into `outDir`; returns the file paths. */
function writePython(result, outDir) {
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  return result.snippets.map((s) => {
    const file = path.join(outDir, `${s.name.replace(/[^A-Za-z0-9_.-]/g, '_')}.py`);
    fs.writeFileSync(file, `# ${s.name}, translated from TypeScript by jsii-rosetta\n${s.python}\n`);
    return file;
  });
}

/**
 * Byte-compiles Python files with `python3 -m py_compile` (a syntax check: nothing is imported), the bytecode
 * going to a temporary folder; `undefined` where python3 is missing.
 */
function pyCompile(files) {
  const probe = spawnSync('python3', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return undefined;
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'pycache-'));
  try {
    const res = spawnSync('python3', ['-m', 'py_compile', ...files], { encoding: 'utf8', env: { ...process.env, PYTHONPYCACHEPREFIX: cache } });
    return { ok: res.status === 0, output: `${res.stdout}${res.stderr}` };
  } finally {
    fs.rmSync(cache, { recursive: true, force: true });
  }
}

function main() {
  const result = extract(root);
  const bad = problems(result);
  if (bad.length) {
    console.error(`jsii-rosetta: ${bad.length} problem(s):\n  ${bad.join('\n  ')}`);
    return 1;
  }
  const files = writePython(result, path.join(root, 'dist-jsii', 'rosetta', 'python'));
  const compiled = pyCompile(files);
  if (compiled && !compiled.ok) {
    console.error(`python3 -m py_compile refused a translation:\n${compiled.output}`);
    return 1;
  }
  const readme = result.snippets.filter((s) => s.readme).length;
  console.error(`jsii-rosetta: ${result.snippets.length} examples compiled in strict mode (${readme} from README.md, `
    + `${result.snippets.length - readme} @example), Python in dist-jsii/rosetta/python/`
    + (compiled ? ' (py_compile ok)' : ' (python3 not found: py_compile skipped)'));
  return 0;
}

if (require.main === module) process.exitCode = main();

module.exports = { extract, problems, writePython, pyCompile, countTsBlocks };
