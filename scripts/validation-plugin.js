'use strict';
/*
 * cdk8s validation plugin entry (cdk8s.yaml):
 *
 *   validations:
 *     - package: ./scripts/validation-plugin.js
 *       version: 0.1.0
 *       class: IstioEgressValidation
 *       properties:
 *         warn: []          # rule ids downgraded to warnings, e.g. [wiring/selector-matches-workload]
 *
 * The plugin users name (lib/src/validator/plugin.js, compiled by `npm run build`), refused when lib/ is stale.
 */
require('./built').checkBuilt();

module.exports = { IstioEgressValidation: require('../lib/src/validator/plugin.js').IstioEgressValidation };
