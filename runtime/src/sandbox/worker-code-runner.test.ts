import { afterEach, expect, it } from 'vitest'
import { StepFailure } from '../engine/types'
import { createWorkerCodeRunner } from './worker-code-runner'

const runners: { close(): Promise<void> }[] = []
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.close()))
})
function runner(opts: Parameters<typeof createWorkerCodeRunner>[0] = {}) {
  const r = createWorkerCodeRunner(opts)
  runners.push(r)
  return r
}
const run = (r: ReturnType<typeof runner>, source: string, input: unknown = {}, signal = new AbortController().signal, timeoutMs = 5000) => r.run(source, input, { timeoutMs, signal })

it('runs code in a worker thread and returns its JSON value', async () => {
  const r = runner()
  expect(await run(r, 'return { sum: input.a + input.b }', { a: 2, b: 3 })).toEqual({ sum: 5 })
  expect(r.threads()).toBe(1)
  // The thread is reused.
  expect(await run(r, 'return 7')).toBe(7)
  expect(r.threads()).toBe(1)
})

it('reports user errors as the inline runner does', async () => {
  const r = runner()
  await expect(run(r, 'throw new Error("nope")')).rejects.toMatchObject({ kind: 'USER', message: 'The code threw Error: nope' })
})

it('cancels a run mid-computation at once, and the next run gets a fresh thread', async () => {
  const r = runner()
  const controller = new AbortController()
  const started = Date.now()
  const pending = run(r, 'while (true) {}', {}, controller.signal, 30_000)
  setTimeout(() => controller.abort(), 200)
  await expect(pending).rejects.toMatchObject({ message: 'The run was cancelled' })
  expect(Date.now() - started).toBeLessThan(2000)
  expect(await run(r, 'return "fresh"')).toBe('fresh')
})

it('a run beyond its thread’s heap limit fails alone; the runner goes on', async () => {
  const r = runner({ workerHeapMb: 16 })
  // A result far larger than 16 MB once parsed on the host side of the thread.
  const bomb = run(r, 'const a = []; for (let i = 0; i < 400000; i++) a.push({ i, s: "x".repeat(20) }); return a')
  await expect(bomb).rejects.toBeInstanceOf(StepFailure)
  await expect(bomb).rejects.toMatchObject({ options: { code: 'CODE_MEMORY' } })
  expect(await run(r, 'return 1 + 1')).toBe(2)
})

it('runs code of different runs in parallel threads, up to the limit', async () => {
  const r = runner({ maxWorkers: 2 })
  // Each run reports when it computed; two of them must have overlapped in time.
  const busy = 'const start = Date.now(); const end = start + 400; while (Date.now() < end) {} return [start, Date.now()]'
  const spans = (await Promise.all([run(r, busy), run(r, busy), run(r, busy)])) as [number, number][]
  expect(r.threads()).toBe(2)
  const overlaps = spans.some(([s1, e1], i) => spans.some(([s2], j) => i !== j && s2 >= s1 && s2 < e1))
  expect(overlaps).toBe(true)
})
