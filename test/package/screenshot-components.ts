/**
 * Draws docs/images/components-*.png: the shipped components' own WXSS and
 * class names, with words from their own code (describeStatus, toRow) for
 * sample states, laid out as the WXML does and photographed in headless
 * Chromium. Run: npm run docs:screenshots
 */
import { mkdtempSync, readFileSync, rmSync } from 'fs'
import * as os from 'os'
import * as path from 'path'
import { chromium } from 'playwright-core'
import type { PendingItem, SyncStatus } from '../../sdk/index'
import { toRow, type PendingRow } from '../../sdk/components/pending-row'
import { describeStatus } from '../../sdk/components/status-text'

const COMPONENTS = path.join(__dirname, '../../sdk/components')
const IMAGES = path.join(__dirname, '../../docs/images')

/** WXSS as CSS: 750rpx is the width of the screen (375 CSS px here). */
function css(component: string): string {
  return readFileSync(path.join(COMPONENTS, component, 'index.wxss'), 'utf8').replace(/(\d+(?:\.\d+)?)rpx/g, (_, n: string) => `${Number(n) / 2}px`)
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;')
const button = (label: string, disabled = false) => `<button class="mini"${disabled ? ' disabled' : ''}>${label}</button>`

const BASE: SyncStatus = { online: true, networkType: 'wifi', pending: 0, inFlight: 0, deadLetters: 0, syncing: false }
const BARS: Array<[SyncStatus, number]> = [
  [{ ...BASE, online: false, networkType: 'none', pending: 3 }, 0],
  [{ ...BASE, pending: 9, syncing: true, inFlight: 1 }, 12],
  [{ ...BASE, pending: 2 }, 0],
  [{ ...BASE, deadLetters: 1 }, 0],
  [BASE, 0],
]

function barsHtml(): string {
  return BARS.map(([status, batch]) => {
    const { tone, text } = describeStatus(status, batch)
    return `<div class="offline-bar offline-bar--${tone}">${escape(text)}</div>`
  }).join('<div style="height:8px"></div>')
}

const AT = new Date(2026, 10, 30, 14, 3, 5).getTime()
const ITEMS: PendingItem[] = [
  { id: '1', state: 'pending', lane: 'default', url: 'https://api.example.com/visits', method: 'POST', metadata: { title: '拜访 王记超市' }, attempts: 0, acceptedAt: AT, sending: true, progress: { done: 0, total: 1 } },
  {
    id: '2', state: 'pending', lane: 'delivery:SF1001', url: 'https://api.example.com/photos', method: 'POST', metadata: { title: '签收 SF1001' }, attempts: 2, acceptedAt: AT,
    lastError: { message: 'HTTP 503', statusCode: 503, data: { error: '维护中' }, step: 1, at: AT }, nextAttemptAt: AT + 65_000, sending: false, progress: { done: 1, total: 3 },
  },
  {
    id: '3', state: 'deadLetter', lane: 'default', url: 'https://api.example.com/customers', method: 'POST', metadata: { title: '新客户 张三' }, attempts: 1, acceptedAt: AT,
    lastError: { message: 'HTTP 422', statusCode: 422, data: { message: '手机号格式不对' }, at: AT }, sending: false, progress: { done: 0, total: 1 },
  },
]

function rowHtml(row: PendingRow): string {
  return [
    `<div class="sync-center__item sync-center__item--${row.state}">`,
    `<div class="sync-center__title">${escape(row.title)}</div>`,
    `<div class="sync-center__detail">${escape(row.detail)}${row.progress ? ` · 进度 ${row.progress}` : ''}</div>`,
    row.progress ? `<div class="sync-center__progress"><div class="sync-center__progress-done" style="${row.progressStyle}"></div></div>` : '',
    row.error ? `<div class="sync-center__error">上次失败：${escape(row.error)}</div>` : '',
    row.nextAttempt ? `<div class="sync-center__next">下次尝试 ${row.nextAttempt}</div>` : '',
    row.reason ? `<div class="sync-center__reason">失败原因：${escape(row.reason)}</div>` : '',
    `<div class="sync-center__actions">${button('重试')}${button('放弃')}</div>`,
    '</div>',
  ].join('')
}

function centerHtml(): string {
  return [
    '<div class="sync-center"><div class="sync-center__head">',
    '<div class="sync-center__usage">存储 38 KB / 6144 KB · 文件 412 KB / 51200 KB</div>',
    `${button('立即同步')}</div>`,
    ITEMS.map(toRow).map(rowHtml).join(''),
    '</div>',
  ].join('')
}

function page(body: string, styles: string): string {
  return `<!doctype html><meta charset="utf-8"><style>
    body { margin: 0; width: 375px; background: #f6f6f6; font-family: "Noto Sans CJK SC", "PingFang SC", sans-serif; }
    div { box-sizing: border-box; }
    .screen { background: #fff; padding: 8px 0; }
    button.mini { font-size: 13px; padding: 2px 10px; border: 1px solid #ddd; border-radius: 4px; background: #f8f8f8; }
    ${styles}</style><div class="screen">${body}</div>`
}

async function main(): Promise<void> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'mpo-chromium-'))
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 375, height: 200 },
    deviceScaleFactor: 2,
  })
  try {
    const shots: Array<[string, string]> = [
      ['components-offline-bar.png', page(barsHtml(), css('offline-bar'))],
      ['components-sync-center.png', page(centerHtml(), css('sync-center'))],
    ]
    for (const [file, html] of shots) {
      const tab = await browser.newPage()
      await tab.setContent(html)
      await tab.locator('.screen').screenshot({ path: path.join(IMAGES, file) })
      await tab.close()
      console.log(`wrote docs/images/${file}`)
    }
  } finally {
    await browser.close()
    rmSync(profile, { recursive: true, force: true })
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
