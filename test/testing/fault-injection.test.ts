import { AppKilledError, createWxEmulator, type EmulatedFileSystemManager, type WxEmulator } from '../../sdk/testing'
import { failWith, flush, sleep } from './helpers'

const USR = 'wxfile://usr'

describe('fault injection: failing and killing at a chosen write', () => {
  let emu: WxEmulator
  let fs: EmulatedFileSystemManager

  beforeEach(() => {
    emu = createWxEmulator()
    fs = emu.wx.getFileSystemManager?.() as EmulatedFileSystemManager
  })

  afterEach(() => emu.dispose())

  test('throwAtWrite on storage: that write throws and is not applied, the app lives on', () => {
    emu.wx.setStorageSync('a', 1)
    emu.faults.throwAtWrite(1, 'disk full (injected)')
    expect(() => emu.wx.setStorageSync('a', 2)).toThrow('disk full (injected)')
    expect(emu.wx.getStorageSync('a')).toBe(1)
    emu.wx.setStorageSync('a', 3)
    expect(emu.wx.getStorageSync('a')).toBe(3)
  })

  test('throwAtWrite on a file write: the async call fails with a file error and nothing is written', async () => {
    emu.faults.throwAtWrite(1, 'io error (injected)')
    const error = await failWith((callbacks) => fs.writeFile({ filePath: `${USR}/a.txt`, data: 'x', ...callbacks }))
    expect(error.errMsg).toBe('writeFile:fail io error (injected)')
    expect(error.errCode).toBe(1300201)
    expect(emu.files.exists(`${USR}/a.txt`)).toBe(false)
    expect(() => {
      emu.faults.throwAtWrite(1)
      fs.mkdirSync(`${USR}/d`)
    }).toThrow(expect.objectContaining({ errCode: 1300201 }))
    expect(emu.files.exists(`${USR}/d`)).toBe(false)
  })

  test('killAtWrite on storage: not applied, and every call throws AppKilledError until restart', () => {
    emu.wx.setStorageSync('kept', 'yes')
    emu.faults.killAtWrite(2)
    emu.wx.setStorageSync('first', 1)
    expect(() => emu.wx.setStorageSync('second', 2)).toThrow(AppKilledError)
    expect(emu.faults.killed).toBe(true)
    expect(() => emu.wx.getStorageSync('kept')).toThrow(AppKilledError)
    expect(() => emu.wx.getFileSystemManager?.()).toThrow(AppKilledError)
    expect(() => fs.readdirSync(USR)).toThrow(AppKilledError)
    expect(() => emu.wx.request({ url: 'http://127.0.0.1:1/' })).toThrow(AppKilledError)

    emu.restart()
    expect(emu.wx.getStorageSync('kept')).toBe('yes')
    expect(emu.wx.getStorageSync('first')).toBe(1)
    expect(emu.wx.getStorageSync('second')).toBe('')
  })

  test('killAtWrite on each kind of file write: the write is not applied and no callback fires', async () => {
    fs.writeFileSync(`${USR}/src.txt`, 'source')
    fs.mkdirSync(`${USR}/dir`)
    let temp = ''
    const fired: string[] = []
    const report = { success: () => fired.push('success'), fail: () => fired.push('fail') }
    const attempts: Array<[string, () => void, () => boolean]> = [
      ['writeFile', () => fs.writeFile({ filePath: `${USR}/w.txt`, data: 'x', ...report }), () => emu.files.exists(`${USR}/w.txt`)],
      ['copyFile', () => fs.copyFile({ srcPath: `${USR}/src.txt`, destPath: `${USR}/c.txt`, ...report }), () => emu.files.exists(`${USR}/c.txt`)],
      [
        'saveFile',
        () => fs.saveFile({ tempFilePath: (temp = emu.createTempFile('temp')), filePath: `${USR}/s.jpg`, ...report }),
        () => emu.files.exists(`${USR}/s.jpg`),
      ],
      ['unlink', () => fs.unlink({ filePath: `${USR}/src.txt`, ...report }), () => !emu.files.exists(`${USR}/src.txt`)],
      ['mkdir', () => fs.mkdir({ dirPath: `${USR}/m`, ...report }), () => emu.files.exists(`${USR}/m`)],
      ['rename', () => fs.rename({ oldPath: `${USR}/src.txt`, newPath: `${USR}/r.txt`, ...report }), () => emu.files.exists(`${USR}/r.txt`)],
      ['rmdir', () => fs.rmdir({ dirPath: `${USR}/dir`, ...report }), () => !emu.files.exists(`${USR}/dir`)],
    ]
    for (const [api, attempt, applied] of attempts) {
      emu.faults.killAtWrite(1)
      expect(attempt).toThrow(AppKilledError)
      if (api === 'saveFile') expect(emu.files.exists(temp)).toBe(true) // not moved
      expect(emu.faults.history[emu.faults.history.length - 1]).toEqual(expect.objectContaining({ kind: 'file', api }))
      emu.restart()
      fs = emu.wx.getFileSystemManager?.() as EmulatedFileSystemManager // the new run's manager
      expect(applied()).toBe(false)
    }
    await flush()
    expect(fired).toEqual([])
  })

  test('callbacks already scheduled when the app dies never fire', async () => {
    const fired: string[] = []
    fs.access({ path: USR, success: () => fired.push('access') })
    emu.faults.kill()
    await flush()
    await sleep(5)
    expect(fired).toEqual([])
  })

  test('restart keeps storage and user files, drops temp files and listeners', () => {
    emu.wx.setStorageSync('k', { v: 1 })
    fs.writeFileSync(`${USR}/keep.txt`, 'kept')
    const temp = emu.createTempFile('temporary')
    const events: string[] = []
    emu.wx.onNetworkStatusChange(() => events.push('net'))
    emu.wx.onAppShow?.(() => events.push('show'))
    emu.wx.onAppHide?.(() => events.push('hide'))

    emu.faults.kill()
    emu.restart()
    fs = emu.wx.getFileSystemManager?.() as EmulatedFileSystemManager

    expect(emu.wx.getStorageSync('k')).toEqual({ v: 1 })
    expect(fs.readFileSync(`${USR}/keep.txt`, 'utf8')).toBe('kept')
    expect(emu.files.usedBytes).toBe(4)
    expect(emu.files.exists(temp)).toBe(false)
    expect(emu.files.listTempFiles()).toEqual([])
    emu.setOnline(false)
    emu.hide()
    emu.show()
    expect(events).toEqual([])
  })

  test('the write log names every write, storage and file alike, in order', () => {
    emu.wx.setStorageSync('a', 1)
    fs.writeFileSync(`${USR}/f`, 'x')
    emu.wx.removeStorageSync('a')
    expect(emu.faults.history.map(({ kind, api, target }) => [kind, api, target])).toEqual([
      ['storage', 'setStorageSync', 'a'],
      ['file', 'writeFileSync', `${USR}/f`],
      ['storage', 'removeStorageSync', 'a'],
    ])
  })
})
