/**
 * `wx.request`, `wx.uploadFile` and `wx.downloadFile` with WeChat's
 * semantics over real HTTP: how data and headers are encoded, that every
 * HTTP status reaches `success`, and what each success payload looks like.
 * Scheduling, limits and transport failures live in {@link EmulatedNetwork}.
 */
import type { IncomingHttpHeaders } from 'http'
import * as nodePath from 'path'
import type { RuntimeDownloadOptions, RuntimeRequestOptions, RuntimeTask, RuntimeUploadOptions } from '../platform/runtime'
import { binaryToBuffer, toArrayBuffer } from './bytes'
import type { EmulatedFileSystem } from './emulated-file-system'
import { NetworkFailure, type EmulatedNetwork } from './emulated-network'
import type { HttpAnswer, HttpExchange } from './http-transport'
import { encodeMultipart } from './multipart'
import { wxQueryString } from '../util/query-string'

/** `wx.request`'s default timeout. */
export const DEFAULT_TIMEOUT_MS = 60000

/** What `wx.request` hands to `success`. */
export interface EmulatedRequestSuccess {
  data: unknown
  statusCode: number
  header: Record<string, string>
  cookies: string[]
  errMsg: string
}

/** What `wx.uploadFile` hands to `success`: the body is never parsed. */
export interface EmulatedUploadSuccess {
  data: string
  statusCode: number
  errMsg: string
}

/** What `wx.downloadFile` hands to `success`: `tempFilePath`, or `filePath` when one was given. */
export interface EmulatedDownloadSuccess {
  statusCode: number
  tempFilePath?: string
  filePath?: string
  errMsg: string
}

/** `wx.request` options, with the emulator's exact success payload. */
export interface EmulatedRequestOptions extends Omit<RuntimeRequestOptions, 'success'> {
  success?: (result: EmulatedRequestSuccess) => void
}

/** `wx.uploadFile` options, with the emulator's exact success payload. */
export interface EmulatedUploadOptions extends Omit<RuntimeUploadOptions, 'success'> {
  success?: (result: EmulatedUploadSuccess) => void
}


function timeoutOf(timeout: number | undefined): number {
  return typeof timeout === 'number' && timeout > 0 ? timeout : DEFAULT_TIMEOUT_MS
}

function parseUrl(api: string, url: string): URL {
  try {
    const parsed = new URL(url)
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return parsed
  } catch {
    // Reported below, as WeChat does, through `fail`.
  }
  throw new NetworkFailure(`${api}:fail invalid url "${url}"`)
}

/** Header values as strings, keys as given. */
function headerStrings(header: Record<string, unknown> | undefined): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const [key, value] of Object.entries(header ?? {})) {
    if (value !== undefined && value !== null) headers[key] = String(value)
  }
  return headers
}

function findHeader(headers: Record<string, string>, name: string): string | undefined {
  const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name)
  return key === undefined ? undefined : headers[key]
}

function withoutHeader(headers: Record<string, string>, name: string): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([key]) => key.toLowerCase() !== name))
}


/** Appends a query before any `#fragment`. */
function appendQuery(url: string, query: string): string {
  if (query === '') return url
  const hashAt = url.indexOf('#')
  const base = hashAt >= 0 ? url.slice(0, hashAt) : url
  const fragment = hashAt >= 0 ? url.slice(hashAt) : ''
  const separator = !base.includes('?') ? '?' : base.endsWith('?') || base.endsWith('&') ? '' : '&'
  return `${base}${separator}${query}${fragment}`
}

function isPlainData(data: unknown): data is Record<string, unknown> {
  return typeof data === 'object' && data !== null && binaryToBuffer(data) === undefined
}

/** The body of a non-GET request: strings as UTF-8, bytes raw, objects as JSON (or a form when the content type says so). */
function encodeBody(data: unknown, contentType: string): Buffer | undefined {
  if (data === undefined || data === null) return undefined
  if (typeof data === 'string') return Buffer.from(data, 'utf8')
  const binary = binaryToBuffer(data)
  if (binary) return binary
  if (isPlainData(data) && !Array.isArray(data) && /application\/x-www-form-urlencoded/i.test(contentType)) {
    return Buffer.from(wxQueryString(data), 'utf8')
  }
  return Buffer.from(JSON.stringify(data), 'utf8')
}

/** Turns `wx.request` options into the exchange WeChat would send. */
export function buildRequestExchange(options: EmulatedRequestOptions): HttpExchange {
  const method = (options.method ?? 'GET').toUpperCase()
  const headers = headerStrings(options.header)
  // WeChat's default content type, whatever the method.
  const contentType = findHeader(headers, 'content-type') ?? 'application/json'
  if (findHeader(headers, 'content-type') === undefined) headers['content-type'] = contentType
  let url = options.url
  let body: Buffer | undefined
  if (method === 'GET') {
    if (isPlainData(options.data)) url = appendQuery(url, wxQueryString(options.data))
    else if (typeof options.data === 'string') url = appendQuery(url, options.data)
  } else {
    body = encodeBody(options.data, contentType)
  }
  if (body) headers['content-length'] = String(body.length)
  return { url: parseUrl('request', url), method, headers, body }
}

/** Response headers as one string each (repeated headers joined), lower-case keys. */
function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {}
  for (const [key, value] of Object.entries(headers)) {
    if (value !== undefined) flat[key] = Array.isArray(value) ? value.join(', ') : value
  }
  return flat
}

/** `dataType: 'json'` parses when it can and keeps the text otherwise; `arraybuffer` gives bytes. */
function decodeRequestData(answer: HttpAnswer, options: EmulatedRequestOptions): unknown {
  if (options.responseType === 'arraybuffer') return toArrayBuffer(answer.body)
  const text = answer.body.toString('utf8')
  if ((options.dataType ?? 'json') !== 'json' || text === '') return text
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}

/** Builds `wx.request`. */
export function createRequest(network: EmulatedNetwork): (options: EmulatedRequestOptions) => RuntimeTask {
  return (options) =>
    network.submit<EmulatedRequestSuccess>({
      api: 'request',
      timeoutMs: timeoutOf(options.timeout),
      prepare: () => buildRequestExchange(options),
      finish: (answer) => ({
        data: decodeRequestData(answer, options),
        statusCode: answer.statusCode,
        header: flattenHeaders(answer.headers),
        cookies: answer.headers['set-cookie'] ?? [],
        errMsg: 'request:ok',
      }),
      success: options.success,
      fail: options.fail,
    })
}

/** Form values are strings on the wire. */
function formFields(formData: Record<string, unknown> | undefined): Record<string, string> {
  const fields: Record<string, string> = {}
  for (const [key, value] of Object.entries(formData ?? {})) {
    if (value === undefined) continue
    fields[key] = typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)
  }
  return fields
}

/** Builds `wx.uploadFile`: the file is read when the call gets its slot; a missing file sends nothing. */
export function createUploadFile(
  network: EmulatedNetwork,
  files: EmulatedFileSystem,
): (options: EmulatedUploadOptions) => RuntimeTask {
  return (options) =>
    network.submit<EmulatedUploadSuccess>({
      api: 'uploadFile',
      timeoutMs: timeoutOf(options.timeout),
      prepare: () => {
        const bytes = files.tryReadBytes(options.filePath)
        if (!bytes) throw new NetworkFailure(`uploadFile:fail file not found ${options.filePath}`)
        const url = parseUrl('uploadFile', options.url)
        const multipart = encodeMultipart({
          fields: formFields(options.formData),
          file: { fieldName: options.name, fileName: nodePath.posix.basename(options.filePath), bytes },
        })
        const headers = withoutHeader(headerStrings(options.header), 'content-type')
        headers['content-type'] = multipart.contentType
        headers['content-length'] = String(multipart.body.length)
        return { url, method: 'POST', headers, body: multipart.body }
      },
      finish: (answer) => ({ data: answer.body.toString('utf8'), statusCode: answer.statusCode, errMsg: 'uploadFile:ok' }),
      success: options.success,
      fail: options.fail,
    })
}

const EXTENSION_BY_TYPE: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'application/json': 'json',
  'text/plain': 'txt',
  'application/pdf': 'pdf',
}

/** The temp file's extension: from the URL path if it has one, else from the content type. */
function downloadExtension(url: URL, contentType: string | undefined): string {
  const fromPath = nodePath.posix.extname(url.pathname).slice(1)
  if (/^[A-Za-z0-9]{1,8}$/.test(fromPath)) return fromPath
  const mime = (contentType ?? '').split(';')[0].trim().toLowerCase()
  return EXTENSION_BY_TYPE[mime] ?? 'unknown'
}

/** Builds `wx.downloadFile`: any status succeeds; the body goes to a new temp file or to `filePath`. */
export function createDownloadFile(
  network: EmulatedNetwork,
  files: EmulatedFileSystem,
): (options: RuntimeDownloadOptions) => RuntimeTask {
  return (options) => {
    let url: URL
    return network.submit<EmulatedDownloadSuccess>({
      api: 'downloadFile',
      timeoutMs: timeoutOf(options.timeout),
      prepare: () => {
        url = parseUrl('downloadFile', options.url)
        return { url, method: 'GET', headers: headerStrings(options.header) }
      },
      finish: (answer) => {
        const { statusCode, body } = answer
        if (options.filePath !== undefined) {
          files.writeDownloaded('downloadFile', options.filePath, body)
          return { statusCode, filePath: options.filePath, errMsg: 'downloadFile:ok' }
        }
        const extension = downloadExtension(url, answer.headers['content-type'])
        return { statusCode, tempFilePath: files.createTempFile(body, extension, 'downloadFile'), errMsg: 'downloadFile:ok' }
      },
      // The official typings promise `tempFilePath` (see EmulatedDownloadSuccess); the runtime
      // omits it when `filePath` was given, and so does the emulator.
      success: options.success as ((result: EmulatedDownloadSuccess) => void) | undefined,
      fail: options.fail,
    })
  }
}
