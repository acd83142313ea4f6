/**
 * Replay of 50 queued 200 KB photo uploads against a loopback server that
 * takes 50 ms an answer: the outbox with default settings (photos of
 * different visits in their own lanes, and all in one lane) against a serial
 * loop of `wx.uploadFile`. Also counts kept files left after the run (must be 0).
 */
import { randomBytes } from 'crypto'
import { createOffline } from '../sdk/client/offline-client'
import { createWxPlatform } from '../sdk/platform/wx-platform'
import { createWxEmulator } from '../sdk/testing'
import { startTestServer, type TestServer } from '../test/support/test-server'
import { printTable, type BenchSection } from './bench-section'
import { timeToDrain } from './outbox-fixtures'

const PHOTOS = 50
const PHOTO_BYTES = 200 * 1024
const LATENCY_MS = 50
const VISITS = 10

async function outboxReplay(server: TestServer, lanes: boolean): Promise<{ ms: number; filesLeft: number }> {
  const emu = createWxEmulator({ online: false })
  const offline = createOffline({ platform: createWxPlatform(emu.wx, { clock: emu.clock }), namespace: 'bench' })
  await offline.ready
  for (let i = 0; i < PHOTOS; i++) {
    const filePath = emu.createTempFile(randomBytes(PHOTO_BYTES))
    await offline.uploadFile({ url: `${server.url}/upload`, filePath, name: 'photo', lane: lanes ? `visit:${i % VISITS}` : undefined })
  }
  server.reset()
  const ms = await timeToDrain(emu, offline)
  if (server.applied.length !== PHOTOS) throw new Error(`uploaded ${server.applied.length} of ${PHOTOS}`)
  offline.close()
  // "drained" comes after the sent photos' copies are deleted, so this counts what really stayed.
  const filesLeft = emu.files.usedBytes
  await emu.dispose()
  return { ms, filesLeft }
}

async function serialLoop(server: TestServer): Promise<number> {
  const emu = createWxEmulator()
  const platform = createWxPlatform(emu.wx, { clock: emu.clock })
  const paths = Array.from({ length: PHOTOS }, () => emu.createTempFile(randomBytes(PHOTO_BYTES)))
  server.reset()
  const start = Date.now()
  for (const filePath of paths) await platform.http.uploadFile({ url: `${server.url}/upload`, filePath, name: 'photo' }).result
  const ms = Date.now() - start
  await emu.dispose()
  return ms
}

export const uploadBench: BenchSection = {
  name: 'uploads',
  description: `replay of ${PHOTOS} queued ${PHOTO_BYTES / 1024} KB photos vs a serial wx.uploadFile loop`,
  async run() {
    const server = await startTestServer({ latencyMs: LATENCY_MS })
    const serial = await serialLoop(server)
    const laned = await outboxReplay(server, true)
    const oneLane = await outboxReplay(server, false)
    await server.close()
    printTable(`Uploads: ${PHOTOS} x ${PHOTO_BYTES / 1024} KB, server answering in ${LATENCY_MS} ms`, [
      { run: 'serial loop (wx.uploadFile one by one)', ms: serial, 'serial/this': 1, 'kept files left': 0 },
      { run: `outbox, defaults, ${VISITS} visits in their own lanes`, ms: laned.ms, 'serial/this': serial / laned.ms, 'kept files left': laned.filesLeft },
      { run: 'outbox, defaults, one lane (strict order)', ms: oneLane.ms, 'serial/this': serial / oneLane.ms, 'kept files left': oneLane.filesLeft },
    ], ['defaults: concurrency 4 lanes at once; a lane keeps its own order, so one lane is as serial as the loop.'])
  },
}
