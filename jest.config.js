// Three suites (jest projects): `npm test` runs the unit tests; `npm run test:integration` packs the package,
// installs it outside the repository and runs it there; `npm run test:e2e` proves the manifests against a real
// nginx. `.ci/run` runs all three. `npx jest --selectProjects unit integration e2e` runs them in one go.
const transform = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
};
const project = (displayName, roots, ignore = []) => ({
  displayName,
  testEnvironment: 'node',
  roots,
  testMatch: ['**/*.test.ts'],
  transform,
  testPathIgnorePatterns: ['/node_modules/', ...ignore],
  modulePathIgnorePatterns: ['<rootDir>/lib/'],
});

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    project('unit', ['<rootDir>/test'], ['/test/integration/', '/test/e2e/']),
    project('integration', ['<rootDir>/test/integration']),
    project('e2e', ['<rootDir>/test/e2e']),
  ],
};
