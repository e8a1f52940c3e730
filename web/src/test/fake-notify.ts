import { vi } from 'vitest'
import type { Notify } from '../shared/composables/use-notify'

/** A Notify that records its toasts (composables are handed it instead of Naive's messages). */
export function fakeNotify() {
  return { success: vi.fn<(text: string) => void>(), info: vi.fn<(text: string) => void>(), error: vi.fn<(err: unknown) => void>() } satisfies Notify
}
