/**
 * Where the e2e doubles listen (this suite's fixed range 5600–5699): the Telegram Bot API double,
 * the OpenAI double, and a small control server through which a spec (another process) pushes
 * Telegram updates and reads what the far ends received.
 */
export const TELEGRAM_DOUBLE_PORT = Number(process.env.E2E_TELEGRAM_PORT ?? 5611)
export const OPENAI_DOUBLE_PORT = Number(process.env.E2E_OPENAI_PORT ?? 5612)
export const DOUBLES_CONTROL_PORT = Number(process.env.E2E_DOUBLES_CONTROL_PORT ?? 5613)

export const TELEGRAM_API_ROOT = `http://127.0.0.1:${TELEGRAM_DOUBLE_PORT}`
export const OPENAI_BASE_URL = `http://127.0.0.1:${OPENAI_DOUBLE_PORT}/v1`
export const DOUBLES_CONTROL_URL = `http://127.0.0.1:${DOUBLES_CONTROL_PORT}`
/** The key the OpenAI double demands; the AI gateway in the journey is saved with it. */
export const OPENAI_API_KEY = 'sk-e2e-3fa1c9d2b7e84f60a1d5'
