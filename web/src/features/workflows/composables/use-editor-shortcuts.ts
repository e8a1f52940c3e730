import { getCurrentScope, onScopeDispose } from 'vue'

/** What the editor's keys do; each action is the same one its button runs. */
export interface EditorShortcutActions {
  save(): unknown
  layout(): unknown
  undo(): unknown
  redo(): unknown
  /** Delete / Backspace: removes the selected edge or step and says which. */
  deleteSelection(): 'edge' | 'step' | null
  /** Ctrl+C: the chosen steps as clipboard text, or null to let the copy be. */
  copy(): string | null
  /** Ctrl+V with text on the clipboard. */
  paste(text: string): unknown
}

type Listens = Pick<EventTarget, 'addEventListener' | 'removeEventListener'>

export interface ShortcutTargets {
  /** Where key presses are heard (the window). */
  keys: Listens
  /** Where copy and paste are heard (the document). */
  clipboard: Listens
}

/** Whether an event comes from a text field: typing there is never a canvas shortcut (Ctrl+S aside). */
export function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null
  return !!el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable)
}

/**
 * The editor's keyboard: Ctrl+S saves (from anywhere), and outside text fields Ctrl+Z / Ctrl+Shift+Z /
 * Ctrl+Y undo and redo, Shift+Alt+L lays out, Delete / Backspace removes, Ctrl+C / Ctrl+V copy and
 * paste steps (Cmd for Ctrl on a Mac). Listens from the call until `stop()` or the owner's scope ends.
 */
export function useEditorShortcuts(actions: EditorShortcutActions, targets: ShortcutTargets = { keys: window, clipboard: document }) {
  function onKeyDown(e: KeyboardEvent) {
    const mod = e.ctrlKey || e.metaKey
    const key = e.key.toLowerCase()
    if (mod && key === 's') {
      e.preventDefault()
      void actions.save()
      return
    }
    if (isTyping(e.target)) return
    if (e.shiftKey && e.altKey && e.code === 'KeyL') {
      e.preventDefault()
      void actions.layout()
    } else if (mod && key === 'z') {
      e.preventDefault()
      if (e.shiftKey) actions.redo()
      else actions.undo()
    } else if (mod && key === 'y') {
      e.preventDefault()
      actions.redo()
    } else if (e.key === 'Delete' || e.key === 'Backspace') {
      if (actions.deleteSelection() === 'step') e.preventDefault()
    }
  }

  function onCopy(e: ClipboardEvent) {
    if (isTyping(e.target) || !e.clipboardData) return
    const text = actions.copy()
    if (!text) return
    e.clipboardData.setData('text/plain', text)
    e.preventDefault()
  }

  function onPaste(e: ClipboardEvent) {
    if (isTyping(e.target) || !e.clipboardData) return
    const text = e.clipboardData.getData('text/plain')
    if (!text) return
    e.preventDefault()
    actions.paste(text)
  }

  targets.keys.addEventListener('keydown', onKeyDown as EventListener)
  targets.clipboard.addEventListener('copy', onCopy as EventListener)
  targets.clipboard.addEventListener('paste', onPaste as EventListener)

  function stop() {
    targets.keys.removeEventListener('keydown', onKeyDown as EventListener)
    targets.clipboard.removeEventListener('copy', onCopy as EventListener)
    targets.clipboard.removeEventListener('paste', onPaste as EventListener)
  }
  if (getCurrentScope()) onScopeDispose(stop)

  return { stop }
}
