// Three suites (jest projects): `npm test` runs the unit tests; `npm run test:integration` packs the package,
// installs it outside the repository and runs it there; `npm run test:e2e` proves the manifests against a real
// nginx. `.ci/run` runs all three. `npx jest --selectProjects unit integration e2e` runs them in one go.
const transform = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
};
// The unit tests run the sources (src/); the task app and the test apps import the library by its package name,
// as a user's app does, which the unit project maps to src/ (the other projects run the compiled lib/).
const SOURCES = {
  '^cdk8s-istio-egress$': '<rootDir>/src/index.ts',
  '^cdk8s-istio-egress/(certificates|validator)$': '<rootDir>/src/$1/index.ts',
};
const project = (displayName, roots, ignore = [], moduleNameMapper = {}) => ({
  displayName,
  moduleNameMapper,
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
    project('unit', ['<rootDir>/test'], ['/test/integration/', '/test/e2e/'], SOURCES),
    project('integration', ['<rootDir>/test/integration']),
    project('e2e', ['<rootDir>/test/e2e'], [], SOURCES),
  ],
};
