#!/usr/bin/env node
'use strict';
// `cdk8s-istio-egress validate [PATH...]`: the offline validator of this package (lib/src/validator/cli.ts).
// Exit codes: 0 no errors, 1 errors, 2 usage error or unreadable input.
process.exitCode = require('../lib/src/validator/cli.js').main(process.argv.slice(2));
