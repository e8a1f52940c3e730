import { useMessage } from 'naive-ui'
import { toApiError } from '../../api/api-error'

/** Toasts; errors show the API's own message. Only inside NMessageProvider (App.vue). */
export function useNotify() {
  const message = useMessage()
  return {
    success: (text: string) => message.success(text),
    info: (text: string) => message.info(text),
    error: (err: unknown) => message.error(toApiError(err).message, { duration: 6000, closable: true }),
  }
}
