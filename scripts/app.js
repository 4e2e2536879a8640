#!/usr/bin/env node
'use strict';
// The cdk8s app (cdk8s.yaml `app:`): synthesizes the main chart, compiled by `npm run build` into lib/app/,
// into $CDK8S_OUTDIR (set by `cdk8s synth`) or dist/. Prefer `npm run synth`, which also validates and never
// leaves a half-written dist/. A failing app prints one line, `error: <message>`, and exits 1; DEBUG=1 adds
// the stack trace.
require('./built').checkBuilt();

try {
  require('../lib/app/main.js').buildApp().synth();
} catch (err) {
  console.error(`error: ${err?.message ?? err}${process.env.DEBUG && err?.stack ? `\n${err.stack}` : ''}`);
  process.exitCode = 1;
}
