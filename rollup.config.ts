import { builtinModules } from 'node:module'
import { dirname, resolve } from 'node:path'
import typescript from '@rollup/plugin-typescript'
import type { Plugin, RollupOptions } from 'rollup'
import dts from 'rollup-plugin-dts'

const nodeBuiltins = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)]

/**
 * `miniprogram-offline/uni` reaches the SDK through its public face, and
 * ships importing the package itself: one copy of the SDK in an app, so
 * `OfflineClient` and the error classes stay the same classes.
 */
const coreAsPackage = (): Plugin => {
  const face = resolve('sdk/index')
  return {
    name: 'core-as-package',
    resolveId(source, importer) {
      if (!importer || !source.startsWith('.')) return null
      const target = resolve(dirname(importer), source).replace(/\.ts$/, '')
      return target === face ? { id: 'miniprogram-offline', external: true } : null
    },
  }
}

const compile = () =>
  typescript({
    tsconfig: './tsconfig.json',
    compilerOptions: { target: 'ES2017', noEmit: false, declaration: false, types: ['node', 'miniprogram-api-typings'] },
    noEmitOnError: true,
    include: ['sdk/**/*.ts'],
  })

/** One public entry point: `dist/<name>.{esm,cjs}.js` and `dist/<name>.d.ts`. */
interface Entry {
  name: string
  input: string
  external: string[]
  plugins: Plugin[]
}

const entries: Entry[] = [
  { name: 'index', input: 'sdk/index.ts', external: nodeBuiltins, plugins: [] },
  { name: 'testing', input: 'sdk/testing/index.ts', external: nodeBuiltins, plugins: [] },
  // The Vue composables: vue and uni-app come from the app (peer dependencies); the core stays free of them.
  { name: 'uni', input: 'sdk/uni/index.ts', external: ['vue', '@dcloudio/uni-app'], plugins: [coreAsPackage()] },
]

const config: RollupOptions[] = [
  ...entries.map(
    ({ name, input, external, plugins }): RollupOptions => ({
      input,
      external,
      plugins: [...plugins, compile()],
      output: [
        { file: `dist/${name}.esm.js`, format: 'es', sourcemap: true },
        { file: `dist/${name}.cjs.js`, format: 'cjs', sourcemap: true, exports: 'named' },
      ],
    }),
  ),
  // WeChat DevTools' "构建 npm" copies this folder into miniprogram_npm/.
  {
    input: 'sdk/index.ts',
    plugins: [compile()],
    output: { file: 'miniprogram_dist/index.js', format: 'cjs', exports: 'named' },
  },
  ...entries.map(
    ({ name, input, external, plugins }): RollupOptions => ({
      input,
      external,
      plugins: [...plugins, dts({ compilerOptions: { types: ['node', 'miniprogram-api-typings'] } })],
      output: { file: `dist/${name}.d.ts`, format: 'es' },
    }),
  ),
]

export default config
