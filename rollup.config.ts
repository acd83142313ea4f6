import { builtinModules } from 'node:module'
import typescript from '@rollup/plugin-typescript'
import type { RollupOptions } from 'rollup'
import dts from 'rollup-plugin-dts'

const nodeBuiltins = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)]

const compile = () =>
  typescript({
    tsconfig: './tsconfig.json',
    compilerOptions: { target: 'ES2017', noEmit: false, declaration: false, types: ['node', 'miniprogram-api-typings'] },
    noEmitOnError: true,
    include: ['sdk/**/*.ts'],
  })

const entries = [
  { name: 'index', input: 'sdk/index.ts' },
  { name: 'testing', input: 'sdk/testing/index.ts' },
]

const config: RollupOptions[] = [
  ...entries.map(
    ({ name, input }): RollupOptions => ({
      input,
      external: nodeBuiltins,
      plugins: [compile()],
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
    ({ name, input }): RollupOptions => ({
      input,
      external: nodeBuiltins,
      plugins: [dts({ compilerOptions: { types: ['node', 'miniprogram-api-typings'] } })],
      output: { file: `dist/${name}.d.ts`, format: 'es' },
    }),
  ),
]

export default config
