import { describe, expect, it } from 'vitest'
import { emptyRunState, nodeRunStatus, parseRunEvent, reduceRun, stepRunOf, supersedes, type RunEvent, type RunState } from './run-state'

const fold = (events: RunEvent[], start: RunState = emptyRunState('ex1', 'PENDING')) => events.reduce(reduceRun, start)

describe('reduceRun', () => {
  it('takes the steps and the status of a snapshot', () => {
    const s = fold([
      {
        type: 'snapshot',
        execution: { id: 'ex1', status: 'RUNNING' },
        steps: [{ key: 'a', lease: 1, attempt: 1, status: 'COMPLETED', output: { x: 1 }, error: null, durationMs: 3 }],
      },
    ])
    expect(s.status).toBe('RUNNING')
    expect(s.finished).toBe(false)
    expect(s.steps.a).toMatchObject({ status: 'COMPLETED', output: { x: 1 }, durationMs: 3 })
    expect(nodeRunStatus(s.steps.a)).toBe('done')
  })

  it('follows a step from running to done, then the run to its end', () => {
    const s1 = fold([
      { type: 'step', key: 'a', lease: 1, attempt: 1, status: 'RUNNING' },
      { type: 'step', key: 'b', lease: 1, attempt: 1, status: 'SKIPPED' },
    ])
    expect(nodeRunStatus(s1.steps.a)).toBe('running')
    expect(nodeRunStatus(s1.steps.b)).toBe('skipped')
    expect(s1.status).toBe('RUNNING')
    const s2 = fold([{ type: 'step', key: 'a', lease: 1, attempt: 1, status: 'COMPLETED', output: 42 }, { type: 'finished', status: 'COMPLETED' }], s1)
    expect(s2.steps.a).toMatchObject({ status: 'COMPLETED', output: 42 })
    expect(s2).toMatchObject({ status: 'COMPLETED', finished: true })
  })

  it('lets a later attempt win and ignores a stale earlier one', () => {
    const s = fold([
      { type: 'step', key: 'a', lease: 1, attempt: 1, status: 'FAILED', error: 'boom' },
      { type: 'step', key: 'a', lease: 1, attempt: 2, status: 'RUNNING' },
      // Arrives late, from the first try: must not hide the retry.
      { type: 'step', key: 'a', lease: 1, attempt: 1, status: 'RUNNING' },
    ])
    expect(s.steps.a).toMatchObject({ attempt: 2, status: 'RUNNING' })
    expect(s.steps.a!.error).toBeUndefined()
    const s2 = reduceRun(s, { type: 'step', key: 'a', lease: 1, attempt: 2, status: 'COMPLETED', output: 'ok' })
    expect(s2.steps.a).toMatchObject({ attempt: 2, status: 'COMPLETED', output: 'ok' })
  })

  it('lets a later lease win over any attempt of an earlier lease', () => {
    const s = fold([
      { type: 'step', key: 'a', lease: 2, attempt: 1, status: 'COMPLETED', output: 'second run' },
      { type: 'step', key: 'a', lease: 1, attempt: 3, status: 'FAILED', error: 'old' },
    ])
    expect(s.steps.a).toMatchObject({ lease: 2, status: 'COMPLETED', output: 'second run' })
  })

  it('never lets a late start of the same try hide its end', () => {
    const s = fold([
      { type: 'step', key: 'a', lease: 1, attempt: 1, status: 'FAILED', error: 'boom' },
      { type: 'step', key: 'a', lease: 1, attempt: 1, status: 'RUNNING' },
    ])
    expect(nodeRunStatus(s.steps.a)).toBe('failed')
    expect(s.steps.a!.error).toBe('boom')
  })

  it('merges a later snapshot by the same rule and keeps a finished status', () => {
    const s = fold([
      { type: 'step', key: 'a', lease: 1, attempt: 2, status: 'COMPLETED', output: 1 },
      { type: 'finished', status: 'FAILED' },
      {
        type: 'snapshot',
        execution: { id: 'ex1', status: 'RUNNING' },
        steps: [
          { key: 'a', lease: 1, attempt: 1, status: 'FAILED', error: 'first try' },
          { key: 'b', lease: 1, attempt: 1, status: 'FAILED', error: 'bad' },
        ],
      },
    ])
    expect(s.steps.a).toMatchObject({ attempt: 2, status: 'COMPLETED' })
    expect(s.steps.b).toMatchObject({ status: 'FAILED', error: 'bad' })
    expect(s).toMatchObject({ status: 'FAILED', finished: true })
  })

  it('treats a snapshot of an ended execution as finished', () => {
    const s = fold([{ type: 'snapshot', execution: { id: 'ex1', status: 'COMPLETED' }, steps: [] }])
    expect(s.finished).toBe(true)
  })

  it('does not mutate the state it is given', () => {
    const start = emptyRunState('ex1', 'PENDING')
    const frozen = JSON.stringify(start)
    reduceRun(start, { type: 'step', key: 'a', lease: 1, attempt: 1, status: 'RUNNING' })
    expect(JSON.stringify(start)).toBe(frozen)
  })
})

describe('supersedes', () => {
  it('orders by lease, then attempt, then end over start', () => {
    const prev = { key: 'a', lease: 1, attempt: 2, status: 'RUNNING' as const }
    expect(supersedes(undefined, prev)).toBe(true)
    expect(supersedes(prev, { lease: 2, attempt: 1, status: 'RUNNING' })).toBe(true)
    expect(supersedes(prev, { lease: 1, attempt: 1, status: 'COMPLETED' })).toBe(false)
    expect(supersedes(prev, { lease: 1, attempt: 2, status: 'COMPLETED' })).toBe(true)
  })
})

describe('parseRunEvent', () => {
  it('parses the three event names and drops what it cannot use', () => {
    expect(parseRunEvent('snapshot', JSON.stringify({ execution: { id: 'e', status: 'PENDING' }, steps: [] }))).toMatchObject({ type: 'snapshot' })
    expect(parseRunEvent('step', JSON.stringify({ type: 'step', key: 'a', lease: 1, attempt: 1, status: 'RUNNING' }))).toMatchObject({ type: 'step', key: 'a' })
    expect(parseRunEvent('finished', JSON.stringify({ status: 'COMPLETED' }))).toEqual({ type: 'finished', status: 'COMPLETED' })
    expect(parseRunEvent('step', 'not json')).toBeNull()
    expect(parseRunEvent('other', '{}')).toBeNull()
  })

  it('finds a loop body step by its latest item', () => {
    const state = fold([
      { type: 'step', key: 'each[0].send', lease: 1, attempt: 1, status: 'COMPLETED', output: 0 },
      { type: 'step', key: 'each[1].send', lease: 1, attempt: 1, status: 'FAILED', error: 'boom' },
      { type: 'step', key: 'resend', lease: 1, attempt: 1, status: 'COMPLETED' },
    ])
    expect(stepRunOf(state.steps, 'send')).toMatchObject({ key: 'each[1].send', error: 'boom' })
    expect(stepRunOf(state.steps, 'resend')?.key).toBe('resend')
    expect(stepRunOf(state.steps, 'end')).toBeUndefined()
  })
})
