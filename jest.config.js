/** Tests run in Node against the wx emulator; component tests opt into jsdom with a docblock. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: { module: 'commonjs', isolatedModules: true } }],
  },
  // Tests (and the demo mini-program) import the package by name, as an app does.
  moduleNameMapper: {
    '^miniprogram-offline$': '<rootDir>/sdk/index.ts',
    '^miniprogram-offline/testing$': '<rootDir>/sdk/testing/index.ts',
    '^miniprogram-offline/uni$': '<rootDir>/sdk/uni/index.ts',
    '^miniprogram-offline/server$': '<rootDir>/sdk/server/index.ts',
  },
  testTimeout: 20000,
}
