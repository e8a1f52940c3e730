// Source runs (tsx, tests): teach this worker thread TypeScript, then load the real entry.
// The bundle runs plugin-worker.mjs instead (runtime/scripts/build-bundle.mjs).
import { register } from 'tsx/esm/api'

register()
await import('./plugin-worker.ts')
