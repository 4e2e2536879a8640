/**
 * The bundles `npm run build` writes beside the compiled modules (scripts/vendor.js), as the synth commands
 * (`cdk8s-istio-egress synth`, `npm run synth`) load them: each one file instead of tens of modules to resolve and
 * read, compiled with the V8 code cache of an earlier run (common/code-cache.ts), so neither parsed nor its
 * functions compiled again. The same code as the modules (esbuild, no minification), with the same exports.
 * Where there is no bundle (the tests, which run src/), the modules are loaded.
 *
 * - lib/src/validator/bundle.js: the validator (the `cdk8s-istio-egress/validator` entry point), loadValidator().
 * - lib/src/bundle.js: the library (the package's main entry point, lib/src/index.js), preloadLibrary().
 */
import * as fs from 'fs';
import { Module } from 'module';
import * as path from 'path';
import { requireWithCodeCache } from '../common/code-cache';
import type * as Validator from '../validator';

/** The validator's bundle, beside its modules in lib/src/validator/ (so that its __dirname is theirs). */
export const VALIDATOR_BUNDLE = path.join(__dirname, '..', 'validator', 'bundle.js');
/** The library's bundle, beside its main module lib/src/index.js. */
export const LIBRARY_BUNDLE = path.join(__dirname, '..', 'bundle.js');

/** The validator's exports: from its bundle with its code cache when there is one, else from its modules. */
export function loadValidator(): typeof Validator {
  if (fs.existsSync(VALIDATOR_BUNDLE)) return requireWithCodeCache(VALIDATOR_BUNDLE) as typeof Validator;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('../validator') as typeof Validator;
}

/**
 * Loads the library's bundle with its code cache and enters it in `require.cache` as the package's main module
 * (lib/src/index.js), before the app is loaded: an app's `require('cdk8s-istio-egress')` of this package then
 * returns the bundle's exports, the one copy of the constructs in the process (the package's `exports` let no
 * one require the constructs' own modules). Does nothing without the bundle or once the main module is loaded.
 */
export function preloadLibrary(): void {
  const main = path.join(__dirname, '..', 'index.js');
  if (require.cache[main] || !fs.existsSync(LIBRARY_BUNDLE) || !fs.existsSync(main)) return;
  const library = requireWithCodeCache(LIBRARY_BUNDLE);
  const mod = new Module(main);
  mod.filename = main;
  mod.exports = library;
  mod.loaded = true;
  require.cache[main] = mod;
}

export { saveCodeCaches } from '../common/code-cache';
