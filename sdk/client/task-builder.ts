import { InvalidArgumentError, UnsupportedError } from '../errors'
import type { FileKeeper } from '../files/file-keeper'
import type { Platform } from '../platform/platform'
import {
  checkStepReferences,
  toStoredRequestStep,
  toStoredUpload,
  type StoredUpload,
  type TaskRequestInput,
  type TaskStep,
  type TaskUploadInput,
} from '../queue/task-step'

/** The most steps one task may have. */
export const MAX_TASK_STEPS = 20

/** An upload as the app asks for it: `wx.uploadFile` options, plus optional compression before keeping. */
export type UploadInput = TaskUploadInput & {
  /** Compress through `wx.compressImage` before keeping (quality 0-100). */
  compress?: { quality: number }
}

/** A step as `offline.task()` takes it. */
export type TaskStepOptions = { request: TaskRequestInput } | { upload: UploadInput }

/** What `check` found: the steps to store and the files to keep. */
export interface CheckedTask {
  stored: TaskStep[]
  sources: Array<{ index: number; path: string; bytes: number }>
}

const PLACEHOLDER_PATH = 'kept://pending'

function checkQuality(compress: UploadInput['compress']): void {
  if (compress === undefined) return
  const quality = compress?.quality
  if (typeof quality !== 'number' || !(quality >= 0 && quality <= 100)) {
    throw new InvalidArgumentError('compress.quality must be a number from 0 to 100')
  }
}

/**
 * Turns the app's steps into stored steps, in two phases so nothing is
 * written until everything is known to be valid and to fit: `check` refuses
 * bad input and measures the files; `keep` copies them into the SDK's folder.
 */
export class TaskBuilder {
  constructor(
    private readonly platform: Platform,
    private readonly files: FileKeeper | undefined,
    private readonly keepSecrets: boolean,
  ) {}

  /** Validates every step and its references, and measures (and compresses) the files. Writes nothing. */
  async check(steps: unknown): Promise<CheckedTask> {
    if (!Array.isArray(steps) || steps.length === 0) throw new InvalidArgumentError('steps must be a non-empty array')
    if (steps.length > MAX_TASK_STEPS) throw new InvalidArgumentError(`a task has at most ${MAX_TASK_STEPS} steps`)
    const stored: TaskStep[] = []
    const sources: CheckedTask['sources'] = []
    for (const [index, step] of (steps as unknown[]).entries()) {
      if (typeof step !== 'object' || step === null) throw new InvalidArgumentError(`step ${index} must be { request } or { upload }`)
      if ('upload' in step) {
        const upload = (step as { upload: UploadInput }).upload
        stored.push({ upload: toStoredUpload(upload, PLACEHOLDER_PATH, this.keepSecrets) })
        sources.push({ index, ...(await this.measure(upload)) })
      } else if ('request' in step) {
        stored.push({ request: toStoredRequestStep((step as { request: TaskRequestInput }).request, this.keepSecrets) })
      } else {
        throw new InvalidArgumentError(`step ${index} must be { request } or { upload }`)
      }
    }
    checkStepReferences(stored)
    if (sources.length > 0) this.requireFiles().assertFits(sources.reduce((sum, source) => sum + source.bytes, 0))
    return { stored, sources }
  }

  /** Copies the measured files for entry `entryId`; on failure, releases what it copied. */
  async keep(entryId: string, checked: CheckedTask): Promise<TaskStep[]> {
    const steps = [...checked.stored]
    if (checked.sources.length === 0) return steps
    const files = this.requireFiles()
    try {
      for (const source of checked.sources) {
        const kept = await files.keep(entryId, source.index, source.path, source.bytes)
        const upload = (steps[source.index] as { upload: StoredUpload }).upload
        steps[source.index] = { upload: { ...upload, filePath: kept.path } }
      }
    } catch (error) {
      await files.release(entryId)
      throw error
    }
    return steps
  }

  private requireFiles(): FileKeeper {
    if (!this.files) throw new UnsupportedError('fileSystem', this.platform.name)
    return this.files
  }

  /** The file to keep (compressed first when asked) and its size; a typed error when it cannot be read. */
  private async measure(upload: UploadInput): Promise<{ path: string; bytes: number }> {
    const files = this.requireFiles()
    checkQuality(upload.compress)
    const original = upload.filePath
    const bytes = await files.sizeOf(original)
    if (!upload.compress) return { path: original, bytes }
    const path = await this.platform.media.compressImage(original, upload.compress.quality)
    return { path, bytes: await files.sizeOf(path) }
  }
}
