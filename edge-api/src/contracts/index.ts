/** The API's contracts, shared by the API, the runtime and the UI. */
export * from './auth.contract'
export * from './users.contract'
export * from './api-keys.contract'
export type { ErrorBody, ErrorCode } from '../lib/errors'
export * from './workflow.contract'
export * from './gateways.contract'
export * from './services.contract'
export * from './runtime.contract'
