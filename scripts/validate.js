#!/usr/bin/env node
'use strict';
/*
 * Offline validation of synthesized manifests: the package's bin (`cdk8s-istio-egress validate`), run on the
 * compiled lib/ of `npm run build`:
 *   npm run validate -- [PATH...] [--warn RULE-ID[,RULE-ID]] [--format text|json|sarif] [--rules] [--help]
 * PATH defaults to dist. Exits 0 without errors (warnings and notes allowed), 1 with errors, 2 on a usage error or
 * unreadable input.
 */
require('./built').checkBuilt();
require('../bin/cdk8s-istio-egress.js');
