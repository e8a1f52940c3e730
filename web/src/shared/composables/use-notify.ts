import { useMessage } from 'naive-ui'
import { toApiError } from '../../api/api-error'

/** How composables that are handed it report to the user (tests pass a fake). */
export interface Notify {
  success(text: string): void
  info(text: string): void
  error(err: unknown): void
}

/** Toasts; errors show the API's own message. Only inside NMessageProvider (App.vue). */
export function useNotify(): Notify {
  const message = useMessage()
  return {
    success: (text: string) => message.success(text),
    info: (text: string) => message.info(text),
    error: (err: unknown) => message.error(toApiError(err).message, { duration: 6000, closable: true }),
  }
}
