/**
 * The validator as the synth commands (`cdk8s-istio-egress synth`, `npm run synth`) load it: from
 * lib/src/validator/bundle.js, the validator's modules in one file that `npm run build` writes
 * (scripts/vendor.js), with the V8 code cache of an earlier run (common/code-cache.ts); where there is no bundle
 * (the tests, which run src/), from its modules. Either way the same code, with the same exports as the
 * `cdk8s-istio-egress/validator` entry point.
 */
import * as fs from 'fs';
import * as path from 'path';
import { requireWithCodeCache } from '../common/code-cache';
import type * as Validator from '../validator';

/** The bundle beside the validator's modules in lib/src/validator/. */
export const VALIDATOR_BUNDLE = path.join(__dirname, '..', 'validator', 'bundle.js');

/** The validator's exports: from its bundle with its code cache when there is one, else from its modules. */
export function loadValidator(): typeof Validator {
  if (fs.existsSync(VALIDATOR_BUNDLE)) return requireWithCodeCache(VALIDATOR_BUNDLE) as typeof Validator;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('../validator') as typeof Validator;
}

export { saveCodeCaches } from '../common/code-cache';
