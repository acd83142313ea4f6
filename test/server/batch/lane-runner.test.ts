/** The ordering rule on its own (an internal with no public face of its own). */
import { runLanes } from '../../../sdk/server/batch/lane-runner'
import type { AttemptedResult, BatchEntry } from 'miniprogram-offline/server'

const entry = (key: string, lane: string): BatchEntry => ({ key, lane, method: 'POST', path: '/x', headers: {} })
const answered = (key: string, status: number): AttemptedResult => ({ key, status, headers: {} })

it('runs each lane in order, at most `concurrency` lanes at once, and answers in the order given', async () => {
  const entries = [entry('a1', 'A'), entry('b1', 'B'), entry('c1', 'C'), entry('a2', 'A'), entry('b2', 'B'), entry('c2', 'C')]
  const started: string[] = []
  let running = 0
  let most = 0
  const results = await runLanes(
    entries,
    async (e) => {
      started.push(e.key)
      running += 1
      most = Math.max(most, running)
      await new Promise((resolve) => setTimeout(resolve, 10))
      running -= 1
      return answered(e.key, 200)
    },
    2,
  )
  expect(results.map((r) => r.key)).toEqual(['a1', 'b1', 'c1', 'a2', 'b2', 'c2'])
  expect(most).toBe(2)
  for (const lane of ['a', 'b', 'c']) expect(started.filter((k) => k.startsWith(lane))).toEqual([`${lane}1`, `${lane}2`])
})

it('stops a lane at a 3xx as at any answer that is not 2xx', async () => {
  const results = await runLanes([entry('a1', ''), entry('a2', '')], async (e) => answered(e.key, 302), 4)
  expect(results).toEqual([answered('a1', 302), { key: 'a2', notAttempted: true }])
})

it('starts no entry once the caller is gone', async () => {
  let wanted = true
  const ran: string[] = []
  const results = await runLanes(
    [entry('a1', 'A'), entry('a2', 'A'), entry('b1', 'B')],
    async (e) => {
      ran.push(e.key)
      wanted = false
      return answered(e.key, 201)
    },
    1,
    () => wanted,
  )
  expect(ran).toEqual(['a1'])
  expect(results).toEqual([answered('a1', 201), { key: 'a2', notAttempted: true }, { key: 'b1', notAttempted: true }])
})
