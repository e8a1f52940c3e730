export { createTelegramBotGateway, scrubToken, TelegramRateLimited, type TelegramBotGatewayOptions } from './telegram-bot.gateway'
export { ACTION_PARAMS as TELEGRAM_BOT_ACTION_PARAMS, TELEGRAM_BOT_ACTIONS, type TelegramBotAction } from './telegram-bot.schema'
export { SlidingWindowLimiter } from './rate-limiter'
