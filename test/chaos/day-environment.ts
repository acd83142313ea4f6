import { startTestServer, type TestServer } from '../support/test-server'
import { runFieldDay } from './field-day-runner'
import type { FieldDay } from './model'
import type { Observation } from './observation'
import { RejectionWatch } from './rejection-watch'

/** What a chaos test file runs its days in: one loopback server and one rejection watch for the whole file. */
export interface DayEnvironment {
  run(day: FieldDay): Promise<Observation>
  /** Unhandled rejections no running day claimed: any is a failure. */
  readonly unrouted: readonly unknown[]
}

/** Starts the server and installs the watch before the file's tests, and undoes both after them. */
export function useDayEnvironment(): DayEnvironment {
  let server: TestServer
  const watch = new RejectionWatch()
  beforeAll(async () => {
    server = await startTestServer()
    watch.install()
  })
  afterAll(async () => {
    watch.uninstall()
    await server.close()
  })
  return {
    run: (day) => runFieldDay(day, server, watch.route),
    get unrouted() {
      return watch.unrouted
    },
  }
}
