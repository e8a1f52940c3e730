import { afterEach, describe, expect, it, vi } from 'vitest'
import { effectScope } from 'vue'
import { useEditorShortcuts, type EditorShortcutActions } from './use-editor-shortcuts'

function actions(over: Partial<EditorShortcutActions> = {}) {
  return {
    save: vi.fn(),
    layout: vi.fn(),
    undo: vi.fn(),
    redo: vi.fn(),
    deleteSelection: vi.fn<() => 'edge' | 'step' | null>(() => 'step'),
    copy: vi.fn<() => string | null>(() => '{"steps":[]}'),
    paste: vi.fn(),
    ...over,
  }
}

/** Listens on the real window and document, as the page does, inside a scope the test ends. */
function listening(a: ReturnType<typeof actions>) {
  const scope = effectScope()
  scope.run(() => useEditorShortcuts(a))
  return scope
}

/** A key pressed with focus on `target` (the page body unless told otherwise); true when its default was prevented. */
function press(init: KeyboardEventInit, target: EventTarget = document.body) {
  const e = new KeyboardEvent('keydown', { bubbles: true, cancelable: true, ...init })
  target.dispatchEvent(e)
  return e.defaultPrevented
}

function clipboardEvent(type: 'copy' | 'paste', text = '', target: EventTarget = document.body) {
  const clipboardData = new DataTransfer()
  if (text) clipboardData.setData('text/plain', text)
  const e = new ClipboardEvent(type, { bubbles: true, cancelable: true, clipboardData })
  target.dispatchEvent(e)
  return { prevented: e.defaultPrevented, data: clipboardData }
}

function field(tag: 'input' | 'textarea') {
  const el = document.createElement(tag)
  document.body.append(el)
  return el
}

afterEach(() => {
  document.body.innerHTML = ''
})

describe('useEditorShortcuts', () => {
  it('maps the editor keys to their actions and keeps the browser from acting on them', () => {
    const a = actions()
    const scope = listening(a)
    expect(press({ key: 's', ctrlKey: true })).toBe(true)
    expect(a.save).toHaveBeenCalledOnce()
    expect(press({ key: 'z', ctrlKey: true })).toBe(true)
    expect(a.undo).toHaveBeenCalledOnce()
    expect(press({ key: 'Z', ctrlKey: true, shiftKey: true })).toBe(true)
    expect(press({ key: 'y', metaKey: true })).toBe(true)
    expect(a.redo).toHaveBeenCalledTimes(2)
    // Shift+Alt+L by its physical key: on a Mac, Alt turns the letter into another character.
    expect(press({ key: '¬', code: 'KeyL', shiftKey: true, altKey: true })).toBe(true)
    expect(a.layout).toHaveBeenCalledOnce()
    expect(press({ key: 'Delete' })).toBe(true)
    expect(press({ key: 'Backspace' })).toBe(true)
    expect(a.deleteSelection).toHaveBeenCalledTimes(2)
    // Plain letters are nobody's shortcut.
    expect(press({ key: 's' })).toBe(false)
    expect(press({ key: 'z' })).toBe(false)
    expect(a.save).toHaveBeenCalledOnce()
    expect(a.undo).toHaveBeenCalledOnce()
    scope.stop()
  })

  it('leaves typing in text fields alone, except Ctrl+S, which saves from anywhere', () => {
    const a = actions()
    const scope = listening(a)
    const input = field('input')
    const textarea = field('textarea')
    expect(press({ key: 'z', ctrlKey: true }, input)).toBe(false)
    expect(press({ key: 'y', ctrlKey: true }, textarea)).toBe(false)
    expect(press({ key: 'Backspace' }, input)).toBe(false)
    expect(press({ key: 'L', code: 'KeyL', shiftKey: true, altKey: true }, textarea)).toBe(false)
    expect(a.undo).not.toHaveBeenCalled()
    expect(a.redo).not.toHaveBeenCalled()
    expect(a.deleteSelection).not.toHaveBeenCalled()
    expect(a.layout).not.toHaveBeenCalled()
    expect(press({ key: 's', ctrlKey: true }, textarea)).toBe(true)
    expect(a.save).toHaveBeenCalledOnce()
    scope.stop()
  })

  it('Delete keeps the default unless a step went (an edge, or nothing selected)', () => {
    const deleted: ('edge' | 'step' | null)[] = ['edge', null, 'step']
    const a = actions({ deleteSelection: vi.fn(() => deleted.shift()!) })
    const scope = listening(a)
    expect(press({ key: 'Delete' })).toBe(false)
    expect(press({ key: 'Delete' })).toBe(false)
    expect(press({ key: 'Delete' })).toBe(true)
    scope.stop()
  })

  it('copies the chosen steps to the clipboard and pastes clipboard text, outside text fields', () => {
    const a = actions()
    const scope = listening(a)
    const copied = clipboardEvent('copy')
    expect(copied.prevented).toBe(true)
    expect(copied.data.getData('text/plain')).toBe('{"steps":[]}')

    expect(clipboardEvent('paste', '{"steps":[{"id":"a"}]}').prevented).toBe(true)
    expect(a.paste).toHaveBeenCalledWith('{"steps":[{"id":"a"}]}')
    // An empty clipboard pastes nothing.
    expect(clipboardEvent('paste').prevented).toBe(false)
    expect(a.paste).toHaveBeenCalledOnce()

    // In a text field, copy and paste are the field's.
    const input = field('input')
    expect(clipboardEvent('copy', '', input).prevented).toBe(false)
    expect(clipboardEvent('paste', 'text', input).prevented).toBe(false)
    expect(a.copy).toHaveBeenCalledOnce()
    expect(a.paste).toHaveBeenCalledOnce()
    scope.stop()
  })

  it('lets the copy be when no step is chosen', () => {
    const a = actions({ copy: vi.fn(() => null) })
    const scope = listening(a)
    const copied = clipboardEvent('copy')
    expect(a.copy).toHaveBeenCalledOnce()
    expect(copied.prevented).toBe(false)
    expect(copied.data.getData('text/plain')).toBe('')
    scope.stop()
  })

  it('stops listening with its scope, or on stop()', () => {
    const a = actions()
    const scope = listening(a)
    scope.stop()
    press({ key: 's', ctrlKey: true })
    clipboardEvent('paste', 'x')
    expect(a.save).not.toHaveBeenCalled()
    expect(a.paste).not.toHaveBeenCalled()

    const keys = new EventTarget()
    const clipboard = new EventTarget()
    const shortcuts = useEditorShortcuts(a, { keys, clipboard })
    keys.dispatchEvent(new KeyboardEvent('keydown', { key: 'z', ctrlKey: true }))
    expect(a.undo).toHaveBeenCalledOnce()
    shortcuts.stop()
    keys.dispatchEvent(new KeyboardEvent('keydown', { key: 'z', ctrlKey: true }))
    expect(a.undo).toHaveBeenCalledOnce()
  })
})
