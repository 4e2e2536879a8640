'use strict';
// The repository's scripts (synth, validate, certs, the cdk8s app and validation plugin, the schema
// extraction, the bench) run the compiled code users run: lib/, written by `npm run build` (jsii for the
// library, tsc for the task app into lib/app/). They never build, and never run a lib/ older than its
// sources: `npm run build` ends by touching lib/.built, and a .ts file of src/, app/ or imports/ newer than
// that stamp (or no stamp at all) stops the script with one line.
//
// `node scripts/built.js --stamp` writes the stamp (the last step of `npm run build`).
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const STAMP = path.join(root, 'lib', '.built');
const SOURCES = ['src', 'app', 'imports'];

/** The newest .ts file under `dir` newer than `since` (ms), if any. */
function newer(dir, since) {
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return undefined;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      const found = newer(p, since);
      if (found) return found;
    } else if (e.name.endsWith('.ts') && fs.statSync(p).mtimeMs > since) {
      return p;
    }
  }
  return undefined;
}

/** Why lib/ cannot be run (missing, or older than a .ts file of `sources`), or undefined when it is current. */
function staleness(sources = SOURCES) {
  let built;
  try {
    built = fs.statSync(STAMP).mtimeMs;
  } catch {
    return 'lib/ is missing';
  }
  for (const dir of sources) {
    const file = newer(path.join(root, dir), built);
    if (file) return `lib/ is older than ${path.relative(root, file)}`;
  }
  return undefined;
}

/**
 * Stops the process with one line unless lib/ is current; then turns on Node's compile cache (Node 22.1+;
 * a no-op on Node 20), as the package's bin does for its users. `sources`: the folders whose .ts files lib/
 * must not be older than (default src/, app/ and imports/).
 */
function checkBuilt({ sources } = {}) {
  const why = staleness(sources);
  if (why) {
    process.stderr.write(`error: ${why}: run \`npm run build\` first\n`);
    process.exit(1);
  }
  require('module').enableCompileCache?.();
}

if (require.main === module && process.argv[2] === '--stamp') {
  fs.mkdirSync(path.dirname(STAMP), { recursive: true });
  fs.writeFileSync(STAMP, `${new Date().toISOString()}\n`);
}

module.exports = { checkBuilt, staleness, root };
