/** Tests run in Node against the wx emulator; component tests opt into jsdom with a docblock. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: { module: 'commonjs', isolatedModules: true } }],
  },
  // The demo mini-program requires the package by name, as it does in WeChat DevTools.
  moduleNameMapper: { '^miniprogram-offline$': '<rootDir>/sdk/index.ts' },
  testTimeout: 20000,
}
