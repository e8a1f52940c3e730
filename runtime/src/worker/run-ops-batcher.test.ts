import type { RunOp, RunOpResult } from '@2bot/contracts'
import { describe, expect, it } from 'vitest'
import { createRunOpsBatcher } from './run-ops-batcher'

const heartbeat = (n: number): RunOp => ({ op: 'heartbeat', executionId: `e${n}`, jobId: `j${n}`, owner: 'rt', leaseSeconds: 30 })

describe('run ops batcher', () => {
  it('sends one request at a time and coalesces what arrives meanwhile into the next', async () => {
    const batches: string[][] = []
    let release: () => void = () => {}
    const batcher = createRunOpsBatcher(async (ops) => {
      batches.push(ops)
      if (batches.length === 1) await new Promise<void>((r) => (release = r))
      return ops.map((): RunOpResult => ({ ok: true }))
    })
    const first = batcher.submit(heartbeat(0))
    await new Promise((r) => setTimeout(r, 10))
    const rest = [1, 2, 3].map((n) => batcher.submit(heartbeat(n)))
    await new Promise((r) => setTimeout(r, 10))
    expect(batches).toHaveLength(1)
    release()
    expect(await Promise.all([first, ...rest])).toEqual([{ ok: true }, { ok: true }, { ok: true }, { ok: true }])
    expect(batches.map((b) => b.length)).toEqual([1, 3])
    expect(JSON.parse(batches[1]![0]!)).toEqual(heartbeat(1))
  })

  it('keeps a batch under its byte limit', async () => {
    const sizes: number[] = []
    const twoOps = 2 * JSON.stringify(heartbeat(0)).length + 1
    const batcher = createRunOpsBatcher(async (ops) => (sizes.push(ops.length), ops.map(() => ({ ok: true as const }))), { maxBytes: twoOps })
    await Promise.all([0, 1, 2, 3, 4, 5].map((n) => batcher.submit(heartbeat(n))))
    expect(sizes).toEqual([2, 2, 2])
  })

  it('sends what is asked in one turn of the event loop in one request (a step start and the checkpoint held before it)', async () => {
    const batches: string[][] = []
    const batcher = createRunOpsBatcher(async (ops) => (batches.push(ops), ops.map(() => ({ ok: true as const }))))
    const checkpoint = Promise.resolve().then(() => batcher.submit(heartbeat(1)))
    await Promise.all([batcher.submit(heartbeat(0)), checkpoint])
    expect(batches.map((b) => b.length)).toEqual([2])
  })

  it('resends a batch refused whole op by op, so only the op at fault fails', async () => {
    const refused = Object.assign(new Error('too large'), { status: 413 })
    let calls = 0
    const batcher = createRunOpsBatcher(async (ops) => {
      calls++
      if (calls === 1) return ops.map(() => ({ ok: true as const }))
      if (ops.some((o) => o.includes('"e2"'))) throw refused
      return ops.map(() => ({ ok: true as const }))
    })
    await batcher.submit(heartbeat(0))
    const later = [1, 2, 3].map((n) => batcher.submit(heartbeat(n)).then((r) => r, (e: Error) => e.message))
    expect(await Promise.all(later)).toEqual([{ ok: true }, 'too large', { ok: true }])
  })

  it('fails every op of a batch that did not reach the platform, and goes on with the next', async () => {
    let calls = 0
    const batcher = createRunOpsBatcher(async (ops) => {
      if (++calls === 1) throw new TypeError('fetch failed')
      return ops.map(() => ({ ok: true as const }))
    })
    await expect(batcher.submit(heartbeat(0))).rejects.toThrow('fetch failed')
    expect(await batcher.submit(heartbeat(1))).toEqual({ ok: true })
  })
})
