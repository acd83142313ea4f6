import * as nodeFs from 'fs'
import * as nodePath from 'path'
import {
  createWxEmulator,
  type EmulatedFileSystemManager,
  type EmulatedStats,
  type EmulatedStatsEntry,
  type WxEmulator,
} from '../../sdk/testing'
import { allByteValues, bytesOf, failWith, flush, succeed } from './helpers'

const USR = 'wxfile://usr'

describe('wx.getFileSystemManager over a real temp directory', () => {
  let emu: WxEmulator
  let fs: EmulatedFileSystemManager

  beforeEach(() => {
    emu = createWxEmulator()
    const manager = emu.wx.getFileSystemManager?.()
    if (!manager) throw new Error('no file system')
    fs = manager
  })

  afterEach(() => emu.dispose())

  test('env.USER_DATA_PATH is wxfile://usr, and files really live under a temp dir that dispose() removes', () => {
    expect(emu.wx.env?.USER_DATA_PATH).toBe(USR)
    fs.writeFileSync(`${USR}/a.txt`, 'hello')
    const root = emu.files.rootDir
    expect(nodeFs.readFileSync(nodePath.join(root, 'usr', 'a.txt'), 'utf8')).toBe('hello')
    emu.dispose()
    expect(nodeFs.existsSync(root)).toBe(false)
  })

  test('writeFile / readFile: UTF-8 text, raw ArrayBuffers (every byte value), and binary strings', async () => {
    await succeed((callbacks) => fs.writeFile({ filePath: `${USR}/t.txt`, data: '你好, world', encoding: 'utf8', ...callbacks }))
    const text = await succeed<{ data: string | ArrayBuffer }>((callbacks) =>
      fs.readFile({ filePath: `${USR}/t.txt`, encoding: 'utf8', ...callbacks }),
    )
    expect(text.data).toBe('你好, world')

    const bytes = allByteValues(256)
    await succeed((callbacks) => fs.writeFile({ filePath: `${USR}/b.bin`, data: bytes.buffer as ArrayBuffer, ...callbacks }))
    const raw = await succeed<{ data: string | ArrayBuffer }>((callbacks) => fs.readFile({ filePath: `${USR}/b.bin`, ...callbacks }))
    expect(Buffer.compare(bytesOf(raw.data), Buffer.from(bytes))).toBe(0)

    fs.writeFileSync(`${USR}/latin.bin`, '\u00ff\u0000', 'binary')
    expect([...bytesOf(fs.readFileSync(`${USR}/latin.bin`))]).toEqual([0xff, 0x00])
  })

  test('missing files fail with 1300002 and a "fail no such file or directory" message naming the path', async () => {
    const error = await failWith((callbacks) => fs.readFile({ filePath: `${USR}/nope.txt`, ...callbacks }))
    expect(error.errCode).toBe(1300002)
    expect(error.errMsg).toBe(`readFile:fail no such file or directory, readFile ${USR}/nope.txt`)

    expect(() => fs.accessSync(`${USR}/nope.txt`)).toThrow(
      expect.objectContaining({ errCode: 1300002, message: expect.stringContaining(`fail no such file or directory`) }),
    )
    for (const call of [
      () => fs.unlinkSync(`${USR}/nope`),
      () => fs.statSync(`${USR}/nope`),
      () => fs.readdirSync(`${USR}/nope`),
      () => fs.copyFileSync(`${USR}/nope`, `${USR}/x`),
      () => fs.renameSync(`${USR}/nope`, `${USR}/x`),
      () => fs.rmdirSync(`${USR}/nope`),
      () => fs.writeFileSync(`${USR}/no/dir/file.txt`, 'x'),
    ]) {
      expect(call).toThrow(expect.objectContaining({ errCode: 1300002 }))
    }
  })

  test('mkdir: existing dir fails with 1301005, missing parent needs recursive', async () => {
    fs.mkdirSync(`${USR}/a`)
    const exists = await failWith((callbacks) => fs.mkdir({ dirPath: `${USR}/a`, ...callbacks }))
    expect(exists.errCode).toBe(1301005)
    expect(exists.errMsg).toBe(`mkdir:fail file already exists ${USR}/a`)

    expect(() => fs.mkdirSync(`${USR}/x/y/z`)).toThrow(expect.objectContaining({ errCode: 1300002 }))
    fs.mkdirSync(`${USR}/x/y/z`, true)
    expect((fs.statSync(`${USR}/x/y/z`) as EmulatedStats).isDirectory()).toBe(true)
  })

  test('readdir lists names; rmdir needs recursive for a non-empty directory', () => {
    fs.mkdirSync(`${USR}/d/sub`, true)
    fs.writeFileSync(`${USR}/d/one.txt`, '1')
    expect(fs.readdirSync(`${USR}/d`).sort()).toEqual(['one.txt', 'sub'])
    expect(() => fs.rmdirSync(`${USR}/d`)).toThrow(expect.objectContaining({ errCode: 1300066 }))
    fs.rmdirSync(`${USR}/d`, true)
    expect(() => fs.accessSync(`${USR}/d`)).toThrow(expect.objectContaining({ errCode: 1300002 }))
    expect(emu.files.usedBytes).toBe(0)
  })

  test('stat gives size, isFile/isDirectory and lastModifiedTime in seconds on the emulator clock', async () => {
    emu.clock.advance(86_400_000) // a day later
    fs.writeFileSync(`${USR}/s.txt`, 'abcd')
    const result = await succeed<{ stats: EmulatedStats | EmulatedStatsEntry[] }>((callbacks) =>
      fs.stat({ path: `${USR}/s.txt`, ...callbacks }),
    )
    const stats = result.stats as EmulatedStats
    expect(stats.size).toBe(4)
    expect(stats.isFile()).toBe(true)
    expect(stats.isDirectory()).toBe(false)
    expect(Math.abs(stats.lastModifiedTime - emu.clock.now() / 1000)).toBeLessThan(2)
    expect(Math.abs(stats.lastModifiedTime - Date.now() / 1000)).toBeGreaterThan(86_000)
  })

  test('recursive stat lists every entry below a folder with its stats', () => {
    fs.mkdirSync(`${USR}/tree/sub`, true)
    fs.writeFileSync(`${USR}/tree/sub/leaf.txt`, 'leaf')
    const entries = fs.statSync(`${USR}/tree`, true) as EmulatedStatsEntry[]
    const byPath = Object.fromEntries(entries.map((entry) => [entry.path, entry.stats]))
    expect(Object.keys(byPath).sort()).toEqual(['/', '/sub', '/sub/leaf.txt'])
    expect(byPath['/sub/leaf.txt'].size).toBe(4)
    expect(byPath['/sub'].isDirectory()).toBe(true)
  })

  test('saveFile MOVES a temp file: gone from tmp, present at the destination (default: under usr)', async () => {
    const temp = emu.createTempFile('photo-bytes', 'jpg')
    const saved = await succeed<{ savedFilePath: string }>((callbacks) =>
      fs.saveFile({ tempFilePath: temp, filePath: `${USR}/photo.jpg`, ...callbacks }),
    )
    expect(saved.savedFilePath).toBe(`${USR}/photo.jpg`)
    expect(emu.files.exists(temp)).toBe(false)
    expect(fs.readFileSync(`${USR}/photo.jpg`, 'utf8')).toBe('photo-bytes')
    expect(emu.files.usedBytes).toBe(11)

    const other = emu.createTempFile('zz', 'png')
    const defaultPath = fs.saveFileSync(other)
    expect(defaultPath.startsWith(`${USR}/`)).toBe(true)
    expect(emu.files.exists(other)).toBe(false)
    expect(fs.readFileSync(defaultPath, 'utf8')).toBe('zz')
  })

  test('saveFile of a missing temp file fails with 1301112', async () => {
    const error = await failWith((callbacks) => fs.saveFile({ tempFilePath: 'wxfile://tmp/gone.jpg', ...callbacks }))
    expect(error.errCode).toBe(1301112)
    expect(error.errMsg).toBe('saveFile:fail tempFilePath file not exist')
  })

  test('copyFile and rename keep the bytes; unlink removes; all keep the quota count right', () => {
    fs.writeFileSync(`${USR}/a`, '12345')
    fs.copyFileSync(`${USR}/a`, `${USR}/b`)
    expect(emu.files.usedBytes).toBe(10)
    fs.renameSync(`${USR}/b`, `${USR}/c`)
    expect(fs.readFileSync(`${USR}/c`, 'utf8')).toBe('12345')
    expect(() => fs.accessSync(`${USR}/b`)).toThrow()
    expect(emu.files.usedBytes).toBe(10)
    fs.unlinkSync(`${USR}/a`)
    expect(emu.files.usedBytes).toBe(5)
    fs.writeFileSync(`${USR}/c`, '1') // overwrite shrinks
    expect(emu.files.usedBytes).toBe(1)
  })

  test('the user-file quota: a write, copy or save past it fails with 1300202 and writes nothing', async () => {
    const small = createWxEmulator({ fileQuotaBytes: 100 })
    try {
      const manager = small.wx.getFileSystemManager?.() as EmulatedFileSystemManager
      manager.writeFileSync(`${USR}/a`, 'x'.repeat(60))
      const error = await failWith((callbacks) => manager.writeFile({ filePath: `${USR}/b`, data: 'y'.repeat(41), ...callbacks }))
      expect(error.errCode).toBe(1300202)
      expect(error.errMsg).toBe('writeFile:fail the maximum size of the file storage limit is exceeded')
      expect(small.files.exists(`${USR}/b`)).toBe(false)
      expect(() => manager.copyFileSync(`${USR}/a`, `${USR}/copy`)).toThrow(expect.objectContaining({ errCode: 1300202 }))
      const temp = small.createTempFile('z'.repeat(50))
      expect(() => manager.saveFileSync(temp, `${USR}/saved`)).toThrow(expect.objectContaining({ errCode: 1300202 }))
      expect(small.files.exists(temp)).toBe(true)
      // Exactly up to the quota is fine, and temp files never count.
      manager.writeFileSync(`${USR}/b`, 'y'.repeat(40))
      expect(small.files.usedBytes).toBe(100)
      small.createTempFile('t'.repeat(1000))
      expect(small.files.usedBytes).toBe(100)
    } finally {
      small.dispose()
    }
  })

  test('paths that escape their folder, and writes outside USER_DATA_PATH, are refused', () => {
    expect(() => fs.writeFileSync(`${USR}/../../etc/passwd`, 'x')).toThrow(expect.objectContaining({ errCode: 1300013 }))
    expect(() => fs.readFileSync(`${USR}/../../../etc/hostname`)).toThrow(expect.objectContaining({ errCode: 1300013 }))
    expect(() => fs.writeFileSync('wxfile://tmp/mine.txt', 'x')).toThrow(expect.objectContaining({ errCode: 1300013 }))
    expect(() => fs.writeFileSync('/tmp/outside.txt', 'x')).toThrow(expect.objectContaining({ errCode: 1300013 }))
    // Inside the folder, `..` is fine.
    fs.mkdirSync(`${USR}/a`)
    fs.writeFileSync(`${USR}/a/../b.txt`, 'ok')
    expect(fs.readFileSync(`${USR}/b.txt`, 'utf8')).toBe('ok')
  })

  test('reading a directory as a file fails with 1301003', () => {
    fs.mkdirSync(`${USR}/dir`)
    expect(() => fs.readFileSync(`${USR}/dir`)).toThrow(expect.objectContaining({ errCode: 1301003 }))
    expect(() => fs.unlinkSync(`${USR}/dir`)).toThrow(expect.objectContaining({ errCode: 1301003 }))
  })

  test('compressImage copies the source to a new temp file; a missing source fails', async () => {
    const src = emu.createTempFile(Buffer.from([1, 2, 3]), 'jpg')
    const result = await succeed<{ tempFilePath: string }>((callbacks) => emu.wx.compressImage?.({ src, quality: 80, ...callbacks }))
    expect(result.tempFilePath).not.toBe(src)
    expect(result.tempFilePath.startsWith('wxfile://tmp/')).toBe(true)
    expect([...bytesOf(fs.readFileSync(result.tempFilePath))]).toEqual([1, 2, 3])
    const error = await failWith((callbacks) => emu.wx.compressImage?.({ src: 'wxfile://tmp/none.jpg', ...callbacks }))
    expect(error.errMsg).toMatch(/^compressImage:fail /)
  })

  test('fileSystem: false builds a runtime without getFileSystemManager, env and compressImage', () => {
    const h5 = createWxEmulator({ fileSystem: false })
    try {
      expect(h5.wx.getFileSystemManager).toBeUndefined()
      expect(h5.wx.env).toBeUndefined()
      expect(h5.wx.compressImage).toBeUndefined()
      expect(typeof h5.wx.request).toBe('function')
    } finally {
      h5.dispose()
    }
  })

  test('file callbacks are asynchronous, success and fail alike', async () => {
    const calls: string[] = []
    fs.access({ path: USR, success: () => calls.push('success') })
    fs.access({ path: `${USR}/missing`, fail: () => calls.push('fail') })
    expect(calls).toEqual([])
    await flush()
    expect(calls).toEqual(['success', 'fail'])
  })
})
