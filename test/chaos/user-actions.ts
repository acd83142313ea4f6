import type { RequestResult, TaskStepOptions } from 'miniprogram-offline'
import type { UserAction } from './model'
import type { Phone } from './phone'

/**
 * A user action as the app writes it: `request`, `uploadFile` or `task`,
 * with the action's tag in every payload (the server counts applications
 * by it) and in the entry's metadata (the invariants find it in `pending()`
 * by it). Photos are temp files, as `wx.chooseMedia` gives them.
 */
export function callSdk(phone: Phone, serverUrl: string, action: UserAction, tag: string, photos: Map<number, Buffer>): Promise<RequestResult> {
  const placement = { lane: action.lane, dedupeKey: action.dedupeKey, metadata: { action: tag } }
  const photoFile = (step: number): string => phone.emu.createTempFile(photos.get(step) as Buffer, 'jpg')
  const upload = (step: number) => ({ url: `${serverUrl}/upload`, filePath: photoFile(step), name: 'file', formData: { action: tag, step: String(step) } })
  if (action.kind === 'request') {
    return phone.client.request({ url: `${serverUrl}/records`, method: 'POST', data: { action: tag, step: 0 }, ...placement })
  }
  if (action.kind === 'upload') return phone.client.uploadFile({ ...upload(0), ...placement })
  const steps: TaskStepOptions[] =
    action.photos.length === 0
      ? [
          { request: { url: `${serverUrl}/records`, method: 'POST', data: { action: tag, step: 0 } } },
          // Refers to the id the server gave step 0 (the server checks it resolved to this action's own).
          { request: { url: `${serverUrl}/records`, method: 'POST', data: { action: tag, step: 1, first: { $ref: 'steps.0.data.id' } } } },
        ]
      : [
          ...action.photos.map((_bytes, step): TaskStepOptions => ({ upload: upload(step) })),
          {
            request: {
              url: `${serverUrl}/records`,
              method: 'POST',
              data: { action: tag, step: action.photos.length, photos: action.photos.map((_bytes, step) => ({ $ref: `steps.${step}.data.url` })) },
            },
          },
        ]
  return phone.client.task({ steps, ...placement })
}
