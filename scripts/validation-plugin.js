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
 *         istio: '1.31'     # the Istio release validated for, '1.30' or '1.31' (default: the newest supported)
 *
 * Loads src/validator/plugin.ts from source (scripts/load-src.js).
 */
const { loadValidator } = require('./load-src');

module.exports = { IstioEgressValidation: loadValidator('plugin').IstioEgressValidation };
