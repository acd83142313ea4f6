// Runs miniprogram-ci on a project in its own Node process (jest's module
// sandbox takes minutes to load miniprogram-ci's thousands of files) and
// prints one JSON line: what 构建 npm, analyseCode and checkCodeQuality gave.
// Usage: node run-miniprogram-ci.js <projectPath> <miniprogramRoot> <privateKeyPath>
const path = require('path')
const ci = require('miniprogram-ci')

async function main() {
  const [projectPath, root, privateKeyPath] = process.argv.slice(2)
  const miniprogram = path.join(projectPath, root)
  const packed = await ci.packNpmManually({ packageJsonPath: path.join(miniprogram, 'package.json'), miniprogramNpmDistDir: miniprogram })
  const project = new ci.Project({ appid: 'touristappid', type: 'miniProgram', projectPath, privateKeyPath, ignores: ['node_modules/**/*', `${root}node_modules/**/*`] })
  const analysis = await ci.analyseCode(project)
  const quality = await ci.checkCodeQuality(project)
  const summary = {
    packed,
    files: analysis.files.map((file) => file.path),
    components: analysis.modules.filter((module) => module.type === 'Component').map((module) => module.path),
    quality: quality.map((check) => ({ name: check.name, success: check.success })),
  }
  // miniprogram-ci leaves a file watcher running: exit once the report is out.
  process.stdout.write(`${JSON.stringify(summary)}\n`, () => process.exit(0))
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
