import type { SyncStatus } from '../../sdk'

/**
 * One line rewritten in place while the field day runs. When the output is
 * not a terminal (CI), only each chapter's first line is printed, so logs
 * stay short.
 */
export class ProgressLine {
  private last = ''
  private lastChapter = ''

  constructor(private readonly out: NodeJS.WriteStream = process.stdout) {}

  show(chapter: string, status: SyncStatus, sent: number): void {
    const network = status.online ? `online (${status.networkType})` : 'offline'
    const line = `${chapter.padEnd(34)} ${network.padEnd(14)} pending ${String(status.pending).padStart(3)}  in flight ${status.inFlight}  sent ${String(sent).padStart(3)}  dead ${status.deadLetters}`
    if (line === this.last) return
    this.last = line
    if (this.out.isTTY) {
      this.out.write(`\r${line}`)
    } else if (chapter !== this.lastChapter) {
      this.out.write(`${line}\n`)
    }
    this.lastChapter = chapter
  }

  end(): void {
    if (this.out.isTTY) this.out.write('\n')
  }
}
