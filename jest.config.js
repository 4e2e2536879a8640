/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  testPathIgnorePatterns: ['/node_modules/', '/test/consumer/app/'],
  modulePathIgnorePatterns: ['<rootDir>/lib/', '<rootDir>/test/consumer/app/'],
};
