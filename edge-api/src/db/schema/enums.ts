import { pgEnum } from 'drizzle-orm/pg-core'

export const userRole = pgEnum('user_role', ['OWNER', 'ADMIN', 'MEMBER'])
export const planType = pgEnum('plan_type', ['FREE', 'STARTER', 'PRO', 'BUSINESS', 'ENTERPRISE'])
export const orgRole = pgEnum('org_role', ['ORG_OWNER', 'ORG_ADMIN', 'DEPT_MANAGER', 'ORG_MEMBER'])
export const orgPlan = pgEnum('org_plan', ['ORG_STARTER', 'ORG_GROWTH', 'ORG_PRO', 'ORG_BUSINESS', 'ORG_ENTERPRISE'])
export const gatewayType = pgEnum('gateway_type', ['TELEGRAM_BOT', 'TELEGRAM_USER', 'AI', 'WEBHOOK'])
export const gatewayStatus = pgEnum('gateway_status', ['CONNECTED', 'DISCONNECTED', 'ERROR', 'CONFIGURING'])
export const triggerType = pgEnum('trigger_type', ['MANUAL', 'SCHEDULE', 'EVENT', 'WEBHOOK'])
export const serviceStatus = pgEnum('service_status', ['IDLE', 'RUNNING', 'PAUSED', 'ERROR'])
export const executionStatus = pgEnum('execution_status', ['PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'])
export const stepStatus = pgEnum('step_status', ['RUNNING', 'COMPLETED', 'FAILED', 'SKIPPED'])
export const marketplaceType = pgEnum('marketplace_type', ['PLUGIN', 'THEME', 'WIDGET', 'SERVICE'])
export const priceType = pgEnum('price_type', ['FREE', 'ONE_TIME', 'MONTHLY', 'YEARLY'])
export const notificationType = pgEnum('notification_type', [
  'INFO', 'SUCCESS', 'WARNING', 'ERROR', 'GATEWAY_STATUS', 'PLUGIN_UPDATE',
  'SERVICE_COMPLETE', 'SERVICE_ERROR', 'BILLING', 'SYSTEM',
])
