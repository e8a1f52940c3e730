import { describe, expect, it } from 'vitest'
import { useHistory } from './use-history'

describe('useHistory', () => {
  it('undoes and redoes committed snapshots', () => {
    const h = useHistory({ n: 0 })
    expect(h.canUndo.value).toBe(false)
    h.commit({ n: 1 })
    h.commit({ n: 2 })
    expect(h.present.value).toEqual({ n: 2 })
    expect(h.undo()).toEqual({ n: 1 })
    expect(h.undo()).toEqual({ n: 0 })
    expect(h.undo()).toBeUndefined()
    expect(h.canRedo.value).toBe(true)
    expect(h.redo()).toEqual({ n: 1 })
    expect(h.present.value).toEqual({ n: 1 })
  })

  it('drops the redo stack on a new commit and keeps at most `limit` past entries', () => {
    const h = useHistory({ n: 0 }, 3)
    for (let n = 1; n <= 5; n++) h.commit({ n })
    h.undo()
    h.commit({ n: 9 })
    expect(h.canRedo.value).toBe(false)
    const seen: number[] = []
    while (h.canUndo.value) seen.push(h.undo()!.n)
    expect(seen).toEqual([4, 3, 2])
  })

  it('stores copies, so later mutations of a committed object do not rewrite history', () => {
    const value = { list: [1] }
    const h = useHistory({ list: [] as number[] })
    h.commit(value)
    value.list.push(2)
    expect(h.present.value).toEqual({ list: [1] })
    h.reset({ list: [7] })
    expect(h.canUndo.value).toBe(false)
    expect(h.present.value).toEqual({ list: [7] })
  })
})
