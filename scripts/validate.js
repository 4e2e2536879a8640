#!/usr/bin/env node
'use strict';
/*
 * Offline validation of synthesized manifests:
 *   node scripts/validate.js [DIR] [--warn RULE-ID[,RULE-ID]] [--json] [--rules]
 * DIR defaults to dist. Exits 1 when there are errors (warnings do not fail), 2 on unreadable input.
 * Runs straight from src/validator (scripts/load-src.js), with no TypeScript build step.
 */
const { loadValidator } = require('./load-src');

process.exitCode = loadValidator('cli').main(process.argv.slice(2));
