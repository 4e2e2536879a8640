#!/usr/bin/env node
'use strict';
// The cdk8s app (cdk8s.yaml `app:`): synthesizes the main chart into $CDK8S_OUTDIR (set by `cdk8s synth`)
// or dist/. Prefer `npm run synth`, which also validates and never leaves a half-written dist/.
const { loadSource } = require('./load-src');

loadSource('src/main.ts').buildApp().synth();
