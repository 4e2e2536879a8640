#!/usr/bin/env node
'use strict';
/*
 * Offline validation of synthesized manifests, the package's CLI run from source:
 *   npm run validate -- [PATH...] [--warn RULE-ID[,RULE-ID]] [--format text|json|sarif] [--rules] [--help]
 * PATH defaults to dist. Exits 0 without errors (warnings and notes allowed), 1 with errors, 2 on a usage error or
 * unreadable input. Runs straight from src/validator (scripts/load-src.js), with no TypeScript build step;
 * the installed package runs the same main() as `cdk8s-istio-egress validate` (bin/).
 */
const { loadValidator } = require('./load-src');

process.exitCode = loadValidator('cli').main(process.argv.slice(2));
