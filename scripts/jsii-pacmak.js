#!/usr/bin/env node
'use strict';
// `npm run package:python`: generates the Python bindings (distribution `cdk8s-istio-egress`, module
// `cdk8s_istio_egress`, package.json `jsii.targets.python`) with jsii-pacmak into dist-jsii/python, from the
// assembly of `npm run build` and the example translations of `npm run rosetta` (.jsii.tabl.json).
//
// Code only (`--code-only`): the source package (setup.py, pyproject.toml, the module, and the npm tarball
// it embeds) is complete, but building the wheel the way pacmak does needs PyPI, which CI cannot reach:
// pacmak creates a virtualenv and installs setuptools~=75.3.2, build~=1.5.0 and twine into it, and
// installing the wheel needs the Python packages jsii (the runtime), publication, typeguard, cattrs, cdk8s,
// constructs and cdk8s-plus-28. With setuptools and wheel at hand, `pip wheel --no-deps
// --no-build-isolation dist-jsii/python` builds the wheel offline (see README, "Other languages and API
// reference").
//
// pacmak embeds the npm tarball of the library, which it makes with `npm pack`: lifecycle scripts are
// switched off for it (the `prepare` build already ran). Checks that the module defines a class for every
// type of the assembly and that no example was left untranslated, and byte-compiles the module with
// `python3 -m py_compile` (skipped, with a note, where python3 is missing).
const fs = require('fs');
const path = require('path');
const { root, runTool } = require('./jsii-tool');
const { pyCompile } = require('./jsii-rosetta');

/** Generates the Python source package of the assembly in `dir` into `<outdir>/python`; returns its folder. */
function generatePython(dir = root, outdir = path.join(dir, 'dist-jsii')) {
  if (!fs.existsSync(path.join(dir, '.jsii.tabl.json'))) throw new Error('no .jsii.tabl.json: run `npm run rosetta` first');
  fs.rmSync(path.join(outdir, 'python'), { recursive: true, force: true });
  const res = runTool('jsii-pacmak', 'jsii-pacmak', [
    '--targets', 'python', '--code-only', '--no-npmignore', '--no-fingerprint',
    '--rosetta-tablet', path.join(dir, '.jsii.tabl.json'), '--rosetta-unknown-snippets', 'fail',
    '--outdir', outdir, dir,
  ], { cwd: dir, capture: true, env: { npm_config_ignore_scripts: 'true' } });
  if (res.status !== 0) throw new Error(`jsii-pacmak failed:\n${res.stdout}${res.stderr}`);
  return path.join(outdir, 'python');
}

/** The assembly's type names that `__init__.py` of the generated module does not define as a class. */
function missingTypes(dir, pythonDir) {
  const assembly = JSON.parse(fs.readFileSync(path.join(dir, '.jsii'), 'utf8'));
  const init = fs.readFileSync(path.join(pythonDir, 'src', 'cdk8s_istio_egress', '__init__.py'), 'utf8');
  return Object.values(assembly.types).map((t) => t.name).filter((name) => !new RegExp(`^class ${name}\\b`, 'm').test(init));
}

/** The Python files of the generated package. */
function pythonFiles(pythonDir) {
  const out = [];
  const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).forEach((e) => {
    const p = path.join(d, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith('.py')) out.push(p);
  });
  walk(pythonDir);
  return out.sort();
}

function main() {
  const started = Date.now();
  const pythonDir = generatePython(root);
  const missing = missingTypes(root, pythonDir);
  if (missing.length) {
    console.error(`jsii-pacmak: the Python module defines no class for ${missing.join(', ')}`);
    return 1;
  }
  const compiled = pyCompile(pythonFiles(pythonDir));
  if (compiled && !compiled.ok) {
    console.error(`python3 -m py_compile refused the generated module:\n${compiled.output}`);
    return 1;
  }
  const assembly = JSON.parse(fs.readFileSync(path.join(root, '.jsii'), 'utf8'));
  console.error(`jsii-pacmak: Python source package of ${Object.keys(assembly.types).length} types in `
    + `${path.relative(root, pythonDir)}/ in ${((Date.now() - started) / 1000).toFixed(1)} s`
    + (compiled ? ' (py_compile ok)' : ' (python3 not found: py_compile skipped)'));
  return 0;
}

if (require.main === module) process.exitCode = main();

module.exports = { generatePython, missingTypes, pythonFiles };
