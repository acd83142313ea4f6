import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import typescript from '@rollup/plugin-typescript'
import type { Plugin, RollupOptions } from 'rollup'
import dts from 'rollup-plugin-dts'
import { minify } from 'terser'

const nodeBuiltins = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)]
const FACE = resolve('sdk/index')
const COMPONENTS = resolve('sdk/components')

/** Where a relative import points, without its `.ts`. */
function target(source: string, importer: string): string {
  return resolve(dirname(importer), source).replace(/\.ts$/, '')
}

/**
 * `miniprogram-offline/uni` reaches the SDK through its public face, and
 * ships importing the package itself: one copy of the SDK in an app, so
 * `OfflineClient` and the error classes stay the same classes.
 */
const coreAsPackage = (): Plugin => ({
  name: 'core-as-package',
  resolveId(source, importer) {
    if (!importer || !source.startsWith('.')) return null
    return target(source, importer) === FACE ? { id: 'miniprogram-offline', external: true } : null
  },
})

/**
 * The shipped components import the face as `../index`; in
 * `miniprogram_dist/components/` that is the core bundle beside them, so the
 * components and the app share one SDK (and one set of error classes).
 */
const CORE_BESIDE = '\0miniprogram-offline-core'
const coreBesideComponents = (): Plugin => ({
  name: 'core-beside-components',
  resolveId(source, importer) {
    if (!importer || !source.startsWith('.') || target(source, importer) !== FACE) return null
    // Rendered as `../index.js` (output.paths), which is right one folder down only.
    if (dirname(importer) !== COMPONENTS) this.error(`${importer}: only sdk/components/*.ts may import the SDK's face at run time`)
    return { id: CORE_BESIDE, external: true }
  },
})

/**
 * Minifies each chunk with terser: the mini-program build counts against
 * WeChat's 2 MB main package. `toplevel` is safe because WeChat runs every
 * file inside its own module function; the API leaves through `exports`.
 */
const minifyChunks = (): Plugin => ({
  name: 'minify-chunks',
  async renderChunk(code) {
    const result = await minify(code, { ecma: 2017, module: false, toplevel: true, compress: { passes: 2 }, mangle: true, format: { comments: false } })
    return { code: result.code ?? code, map: null }
  },
})

/** Copies each component's `.json`, `.wxml` and `.wxss` beside its compiled `.js`. */
const componentTemplates = (): Plugin => ({
  name: 'component-templates',
  generateBundle() {
    for (const folder of componentFolders()) {
      for (const file of readdirSync(join(COMPONENTS, folder))) {
        if (!/\.(json|wxml|wxss)$/.test(file)) continue
        this.emitFile({ type: 'asset', fileName: `${folder}/${file}`, source: readFileSync(join(COMPONENTS, folder, file)) })
      }
    }
  },
})

/** Component folders under `sdk/components/`: the ones with an `index.json`. */
function componentFolders(): string[] {
  if (!existsSync(COMPONENTS)) return []
  return readdirSync(COMPONENTS, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(COMPONENTS, entry.name, 'index.json')))
    .map((entry) => entry.name)
}

/**
 * Compiles (and type-checks) the SDK alone: the repo's tsconfig.json also
 * takes in tests and benches, which every one of the builds below would check again.
 */
const compile = () =>
  typescript({
    tsconfig: false,
    compilerOptions: {
      target: 'ES2017',
      module: 'ESNext',
      moduleResolution: 'Bundler',
      lib: ['ES2020'],
      strict: true,
      noUnusedLocals: true,
      noUnusedParameters: true,
      noImplicitOverride: true,
      esModuleInterop: true,
      skipLibCheck: true,
      isolatedModules: true,
      declaration: false,
      types: ['node', 'miniprogram-api-typings', '@dcloudio/types'],
    },
    noEmitOnError: true,
    include: ['sdk/**/*.ts'],
  })

/**
 * One public entry point: `dist/<name>.mjs` (ES module) and `dist/<name>.cjs`
 * (CommonJS), each with its own typings (`.d.mts`, `.d.cts`) so TypeScript
 * sees the right module kind under every resolution mode.
 */
interface Entry {
  name: string
  input: string
  external: (string | RegExp)[]
  plugins: Plugin[]
  /** Triple-slash references rollup-plugin-dts drops, re-added to the typings. */
  typesBanner?: string
}

const hasServer = existsSync('sdk/server/index.ts')
/** Any package but tslib (whose helpers the TypeScript plugin inlines): the server uses the app's own database clients. */
const packages = /^(?!tslib$)[^./\0]/
const hasCli = existsSync('sdk/server/conformance/cli.ts')

const entries: Entry[] = [
  { name: 'index', input: 'sdk/index.ts', external: nodeBuiltins, plugins: [] },
  { name: 'testing', input: 'sdk/testing/index.ts', external: nodeBuiltins, plugins: [], typesBanner: '/// <reference types="node" />' },
  // The Vue composables: vue and uni-app come from the app (peer dependencies); the core stays free of them.
  { name: 'uni', input: 'sdk/uni/index.ts', external: ['vue', '@dcloudio/uni-app'], plugins: [coreAsPackage()] },
  // `miniprogram-offline/components/index` for TypeScript mini-programs and bundlers; WeChat itself loads
  // miniprogram_dist/components/. It calls the framework's `Behavior()` when loaded, so not in plain Node.
  ...(existsSync(join(COMPONENTS, 'index.ts'))
    ? [{ name: 'components', input: 'sdk/components/index.ts', external: [], plugins: [coreAsPackage()], typesBanner: '/// <reference types="miniprogram-api-typings" />' }]
    : []),
  // Node only, for the backend: the database clients are the user's own, so every package stays external.
  ...(hasServer
    ? [{ name: 'server', input: 'sdk/server/index.ts', external: [...nodeBuiltins, packages], plugins: [], typesBanner: '/// <reference types="node" />' }]
    : []),
]

const libraries: RollupOptions[] = entries.map(({ name, input, external, plugins }) => ({
  input,
  external,
  plugins: [...plugins, compile()],
  output: [
    { file: `dist/${name}.mjs`, format: 'es' },
    { file: `dist/${name}.cjs`, format: 'cjs', exports: 'named' },
  ],
}))

const typings: RollupOptions[] = entries.map(({ name, input, external, plugins, typesBanner }) => ({
  input,
  external,
  plugins: [...plugins, dts({ compilerOptions: { types: ['node', 'miniprogram-api-typings'] } })],
  output: [
    { file: `dist/${name}.d.mts`, format: 'es', banner: typesBanner },
    { file: `dist/${name}.d.cts`, format: 'es', banner: typesBanner },
  ],
}))

/**
 * `npx miniprogram-offline conformance <url>`: the conformance kit's command
 * line. cli.ts runs its own `main(argv)` when it is the program (`require.main`).
 */
const cli: RollupOptions[] = hasCli
  ? [
      {
        input: 'sdk/server/conformance/cli.ts',
        external: [...nodeBuiltins, packages],
        plugins: [compile()],
        output: { file: 'dist/cli.cjs', format: 'cjs', banner: '#!/usr/bin/env node' },
      },
    ]
  : []

// WeChat DevTools' "构建 npm" copies this folder into miniprogram_npm/: the
// core, minified and self-contained, and the components beside it.
const miniprogram: RollupOptions[] = [
  {
    input: 'sdk/index.ts',
    plugins: [compile(), minifyChunks()],
    output: { file: 'miniprogram_dist/index.js', format: 'cjs', exports: 'named' },
  },
  ...(existsSync(join(COMPONENTS, 'index.ts'))
    ? [
        {
          input: ['sdk/components/index.ts', ...componentFolders().map((folder) => `sdk/components/${folder}/index.ts`)],
          plugins: [coreBesideComponents(), compile(), minifyChunks(), componentTemplates()],
          output: {
            dir: 'miniprogram_dist/components',
            format: 'cjs' as const,
            exports: 'named' as const,
            preserveModules: true,
            preserveModulesRoot: 'sdk/components',
            paths: { [CORE_BESIDE]: '../index.js' },
          },
        },
      ]
    : []),
]

// A build starts from empty folders, so a renamed or dropped output never ships.
for (const folder of ['dist', 'miniprogram_dist']) rmSync(folder, { recursive: true, force: true })

const config: RollupOptions[] = [...libraries, ...cli, ...miniprogram, ...typings]

export default config
