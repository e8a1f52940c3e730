import { describe, expect, it } from 'vitest'
import type { RunState, StepRecord } from '../engine/types'
import { checkpointBuffer } from './run-job'

const record = (n: number): StepRecord => ({ status: 'completed', output: n, attempts: 1, startedAt: n, finishedAt: n })
const running = (cursor: string): RunState => ({ status: 'running', steps: {}, cursor, startedAt: 0 })

describe('checkpoint buffer', () => {
  it('holds pure steps back and sends them with the next side-effecting step, in order', async () => {
    const sent: { keys: string[]; cursor: string | null }[] = []
    const buffer = checkpointBuffer(async (records, state) => void sent.push({ keys: records.map((r) => r.key), cursor: state.cursor }))
    await buffer.add({ key: 'a', record: record(1), state: running('b'), sideEffects: false })
    await buffer.add({ key: 'b', record: record(2), state: running('c'), sideEffects: false })
    expect(sent).toEqual([])
    await buffer.add({ key: 'c', record: record(3), state: running('d'), sideEffects: true })
    expect(sent).toEqual([{ keys: ['a', 'b', 'c'], cursor: 'd' }])
  })

  it('sends at the end of the run and on an explicit flush (before a side effect starts)', async () => {
    const sent: string[][] = []
    const buffer = checkpointBuffer(async (records) => void sent.push(records.map((r) => r.key)))
    await buffer.add({ key: 'a', record: record(1), state: running('b'), sideEffects: false })
    await buffer.flush()
    await buffer.flush()
    await buffer.add({ key: 'b', record: record(2), state: { ...running('x'), status: 'completed', cursor: null }, sideEffects: false })
    expect(sent).toEqual([['a'], ['b']])
  })

  it('never holds more than 100 checkpoints back', async () => {
    const sizes: number[] = []
    const buffer = checkpointBuffer(async (records) => void sizes.push(records.length))
    for (let i = 0; i < 250; i++) await buffer.add({ key: `loop[${i}].x`, record: record(i), state: running('loop'), sideEffects: false })
    expect(sizes).toEqual([100, 100])
  })
})

describe('checkpoint buffer: size', () => {
  it('sends once the held records reach half the run’s data, so a checkpoint stays under the platform’s limit', async () => {
    const sizes: number[] = []
    const buffer = checkpointBuffer(async (records) => void sizes.push(records.length))
    const MB = 2 ** 20
    for (let i = 0; i < 6; i++) await buffer.add({ key: `s${i}`, record: record(i), state: running('next'), sideEffects: false, bytes: 1.5 * MB })
    // 1.5 + 1.5 + 1.5 MB reaches 4 MB at the third record.
    expect(sizes).toEqual([3, 3])
  })
})
