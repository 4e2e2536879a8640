'use strict';
// Shared by scripts/jsii-*.js: runs a jsii tool (jsii, jsii-docgen, jsii-rosetta, jsii-pacmak, jsii-diff)
// from this repository's node_modules with the current Node.js, from the repository root.
//
// jsii tools print a full-screen banner on every run once the running Node.js major is past their support
// window (Node 20 since 2026-10-30). The project still targets Node 20 (package.json `engines`), so the banner
// is silenced for the running major only, through jsii's own environment variables; everything else jsii
// prints is kept.
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');

const env = {
  ...process.env,
  JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: process.versions.node.split('.')[0],
  JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION: '1',
};

/** Path of the JavaScript file behind the `name` command of package `pkg`. */
function binOf(pkg, name = pkg) {
  const pjFile = path.join(root, 'node_modules', pkg, 'package.json');
  const pj = JSON.parse(fs.readFileSync(pjFile, 'utf8'));
  const bin = typeof pj.bin === 'string' ? pj.bin : pj.bin[name];
  return path.join(path.dirname(pjFile), bin);
}

/**
 * Runs `name` (a bin of package `pkg`) with `args`; returns `{ status, stdout, stderr }`. Output is inherited
 * (to stderr) unless `options.capture`; `options.cwd` defaults to the repository root; `options.env` adds variables.
 */
function runTool(pkg, name, args, options = {}) {
  const res = spawnSync(process.execPath, [binOf(pkg, name), ...args], {
    cwd: options.cwd ?? root,
    env: { ...env, ...options.env },
    encoding: 'utf8',
    // without capture, the tool's stdout goes to stderr: `npm pack --json` runs the build (prepare) and its
    // stdout must stay JSON
    stdio: options.capture ? ['ignore', 'pipe', 'pipe'] : ['inherit', 2, 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (res.error) throw res.error;
  return { status: res.status ?? 1, stdout: res.stdout ?? '', stderr: res.stderr ?? '' };
}

/** Exits with `status` after printing `message` to stderr when the status is not 0. */
function exitWith(status, message) {
  if (status !== 0 && message) console.error(message);
  process.exit(status);
}

module.exports = { root, env, binOf, runTool, exitWith };
