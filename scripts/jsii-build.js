#!/usr/bin/env node
'use strict';
// `npm run build`: compiles the library with jsii into lib/ (the JavaScript and .d.ts that package.json
// `main`, `types` and `exports` point at) and writes the jsii assembly `.jsii` (the public API that
// Construct Hub, jsii-docgen, jsii-rosetta, jsii-pacmak and jsii-diff read). jsii compiles with
// tsconfig.jsii.json (package.json `jsii.tsconfig`); tsconfig.json stays the editor's and `npm run lint`'s.
//
// Silenced: jsii's `reserved-word` warnings. The only hits are `namespace` (a C# keyword), which C# bindings
// spell `Namespace` like every other property, and which cdk8s itself uses (`ChartProps.namespace`,
// `ApiObjectMetadata.namespace`); renaming it would make this library unlike cdk8s for no binding's sake.
// Extra arguments are passed to jsii (e.g. `npm run build -- --fail-on-warnings`).
const { runTool, exitWith } = require('./jsii-tool');

const { status } = runTool('jsii', 'jsii', ['--silence-warnings=reserved-word', ...process.argv.slice(2)]);
exitWith(status, status !== 0 ? 'jsii-build: jsii failed (see above)' : undefined);
