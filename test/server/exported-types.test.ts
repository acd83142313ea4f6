/**
 * The public face of `miniprogram-offline/server` leaks no `any`: its
 * declarations, as tsc emits them, name no `any` anywhere.
 */
import * as path from 'path'
import ts from 'typescript'

function emittedDeclarations(entry: string): Map<string, string> {
  const files = new Map<string, string>()
  const program = ts.createProgram([entry], {
    declaration: true,
    emitDeclarationOnly: true,
    strict: true,
    skipLibCheck: true,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    target: ts.ScriptTarget.ES2019,
    esModuleInterop: true,
    types: ['node'],
    removeComments: true,
    outDir: '/virtual',
  })
  const result = program.emit(undefined, (name, text) => files.set(name, text))
  expect(result.diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([])
  return files
}

it('emits declarations without any `any`', () => {
  const files = emittedDeclarations(path.join(__dirname, '../../sdk/server/index.ts'))
  const index = [...files.keys()].find((name) => name.endsWith('server/index.d.ts'))
  expect(index).toBeDefined()
  const leaks = [...files].flatMap(([name, text]) => text.split('\n').filter((line) => /\bany\b/.test(line)).map((line) => `${path.basename(name)}: ${line.trim()}`))
  expect(leaks).toEqual([])
}, 60000)
