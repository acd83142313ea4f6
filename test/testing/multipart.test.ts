import busboy from 'busboy'
import { encodeMultipart } from '../../sdk/testing'
import { allByteValues } from './helpers'

interface Parsed {
  fields: Record<string, string>
  files: Array<{ field: string; filename: string; mimeType: string; bytes: Buffer }>
}

function parse(contentType: string, body: Buffer): Promise<Parsed> {
  return new Promise((resolve, reject) => {
    const parsed: Parsed = { fields: {}, files: [] }
    const parser = busboy({ headers: { 'content-type': contentType }, defParamCharset: 'utf8' })
    parser.on('field', (name, value) => (parsed.fields[name] = value))
    parser.on('file', (field, stream, info) => {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => parsed.files.push({ field, filename: info.filename ?? '', mimeType: info.mimeType, bytes: Buffer.concat(chunks) }))
    })
    parser.on('close', () => resolve(parsed))
    parser.on('error', reject)
    parser.end(body)
  })
}

describe('multipart/form-data encoder', () => {
  test('fields come first, then the file part, and a standard parser reads them back exactly', async () => {
    const bytes = allByteValues(2048)
    const { body, contentType, boundary } = encodeMultipart({
      fields: { a: '1', note: '中文\r\nline two' },
      file: { fieldName: 'file', fileName: '照片.jpg', bytes },
    })
    expect(contentType).toBe(`multipart/form-data; boundary=${boundary}`)
    expect(body.indexOf('name="a"')).toBeLessThan(body.indexOf('filename='))
    const parsed = await parse(contentType, body)
    expect(parsed.fields).toEqual({ a: '1', note: '中文\r\nline two' })
    expect(parsed.files).toHaveLength(1)
    expect(parsed.files[0]).toEqual(expect.objectContaining({ field: 'file', filename: '照片.jpg', mimeType: 'application/octet-stream' }))
    expect(Buffer.compare(parsed.files[0].bytes, Buffer.from(bytes))).toBe(0)
  })

  test('quotes in names are escaped so they cannot break the header', async () => {
    const { body, contentType } = encodeMultipart({ fields: { 'we"ird': 'v' } })
    const parsed = await parse(contentType, body)
    expect(Object.values(parsed.fields)).toEqual(['v'])
    expect(body.toString('latin1')).toContain('name="we%22ird"')
  })

  test('an empty file still makes a file part', async () => {
    const { body, contentType } = encodeMultipart({ file: { fieldName: 'f', fileName: 'empty.bin', bytes: new Uint8Array(0) } })
    const parsed = await parse(contentType, body)
    expect(parsed.files.map((file) => [file.filename, file.bytes.length])).toEqual([['empty.bin', 0]])
  })
})
