import type { RuntimeFailure } from '../../sdk/platform/runtime'
import { createWxEmulator, type WxEmulator } from '../../sdk/testing'
import { startTestServer, type TestServer } from '../support/test-server'

/** The outcome of one callback-style call. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: RuntimeFailure }

interface CallbackPair<T> {
  success: (value: T) => void
  fail: (error: RuntimeFailure) => void
}

/** Calls a callback-style API and resolves with whichever callback fires. */
export function settle<T>(invoke: (callbacks: CallbackPair<T>) => unknown): Promise<Outcome<T>> {
  return new Promise((resolve) => {
    invoke({ success: (value) => resolve({ ok: true, value }), fail: (error) => resolve({ ok: false, error }) })
  })
}

/** The success value, or a thrown error naming the failure. */
export async function succeed<T>(invoke: (callbacks: CallbackPair<T>) => unknown): Promise<T> {
  const outcome = await settle(invoke)
  if (!outcome.ok) throw new Error(`expected success, got ${outcome.error.errMsg}`)
  return outcome.value
}

/** The failure, or a thrown error if the call succeeded. */
export async function failWith<T>(invoke: (callbacks: CallbackPair<T>) => unknown): Promise<RuntimeFailure> {
  const outcome = await settle(invoke)
  if (outcome.ok) throw new Error(`expected failure, got success ${JSON.stringify(outcome.value)}`)
  return outcome.error
}

/** Lets pending I/O and the emulator's callbacks (a zero-delay timer each) run. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 1))
}

/** Waits real time (use sparingly: prefer the emulator clock). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Waits until `condition` holds, polling every few milliseconds. */
export async function until(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await sleep(5)
  }
}

/** Bytes 0..255 repeated: covers every byte value, most of which are not valid UTF-8 on their own. */
export function allByteValues(length = 512): Uint8Array {
  return Uint8Array.from({ length }, (_, index) => index % 256)
}

/** An ArrayBuffer's bytes as a Buffer, whatever realm the ArrayBuffer came from. */
export function bytesOf(value: unknown): Buffer {
  if (Object.prototype.toString.call(value) !== '[object ArrayBuffer]') throw new Error(`not an ArrayBuffer: ${typeof value}`)
  return Buffer.from(value as ArrayBuffer)
}

/**
 * A fresh emulator and loopback server for every test of the enclosing
 * describe, both disposed after it; `use` receives them.
 */
export function useEmulatorAndServer(use: (emu: WxEmulator, server: TestServer) => void): void {
  let emu: WxEmulator
  let server: TestServer
  beforeEach(async () => {
    emu = createWxEmulator()
    server = await startTestServer()
    use(emu, server)
  })
  afterEach(async () => {
    await emu.dispose()
    await server.close()
  })
}
