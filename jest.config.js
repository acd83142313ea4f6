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
    '^miniprogram-offline/components/index$': '<rootDir>/sdk/components/index.ts',
  },
  testTimeout: 20000,
  // The uni-app fixture's own install and build output are not tests or modules of this project.
  modulePathIgnorePatterns: ['<rootDir>/test/fixtures/uni-h5/(node_modules|dist|unpackage)/'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/fixtures/'],
}
