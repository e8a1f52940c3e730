import { useWorkflowStore } from '../features/workflows/workflow.store'
import type { DraftDefinition } from '../features/workflows/workflow-graph'
import { aService, apiOn, fakeServer, json, type Handler } from './fake-server'
import { testApp } from './test-app'

/**
 * Workflow `svc_1` holding `definition` on a fake API (GET answers it, every PATCH makes the next
 * version), and its editor store on the real client; `handlers` add or replace routes.
 */
export async function workflowOnFakeServer(definition: DraftDefinition, handlers: Record<string, Handler> = {}) {
  let version = 1
  const server = fakeServer({
    'GET /api/user/services/svc_1': () => json({ service: aService(definition, { currentVersion: version }) }),
    'PATCH /api/user/services/svc_1': (req) => json({ service: aService((req.body as { definition: unknown }).definition, { currentVersion: ++version }) }),
    ...handlers,
  })
  const api = await apiOn(server.fetch, '2bot_csrf=tok')
  testApp(api)
  return { server, api, store: useWorkflowStore('svc_1') }
}
