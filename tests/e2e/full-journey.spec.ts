import { readFileSync } from 'node:fs'
import { expect, test, type Page } from '@playwright/test'
import { customerMessage, openAiRequests, pushTelegramUpdate, telegramCalls } from './support/doubles-control'
import { OPENAI_API_KEY, OPENAI_BASE_URL } from './support/doubles-ports'
import { api, choose, confirmEmail, dragWithMouse, input, LIVE, register, screenshot } from './support/journey'

const BOT_TOKEN = '7351862490:AAFq3kR8vW2xYbN5mZtC1dE6gH9jK0lP4sU'
const QUESTION = 'Hi! Do you ship to Berlin?'
const ANSWER = 'Yes, we ship to Berlin: delivery takes 2–3 working days and is free on orders over €50.'
const CHAT_ID = 48_213_377
const EMAIL = 'margaret.hale@example.com'

interface Definition {
  trigger: { type: string; gatewayId?: string; event?: string }
  steps: { id: string; type: string; gatewayId?: string; action?: string; params?: Record<string, unknown> }[]
}
interface ServiceBody {
  service: { id: string; name: string; definition: Definition }
}

/**
 * Issue 4's whole path as one newcomer walks it: register → a Telegram bot and an AI gateway →
 * the auto-reply workflow built on the canvas by dragging and connecting → a test run started by a
 * real message to the bot, every step done → export → import as a copy, equal to the original →
 * a dashboard widget added and moved, kept after a reload. The bot and the model are the doubles
 * started by support/doubles.global-setup.ts; screenshots of each main page go to docs/screenshots.
 */
test.describe.configure({ mode: 'serial', timeout: 240_000 })

test('from sign-up to a bot that answers, its workflow exported and copied, and a dashboard that keeps its layout', async ({ page }) => {
  await register(page, 'Margaret', EMAIL)
  await confirmEmail(page, EMAIL)

  // 1. Gateways: the shop's Telegram bot, tested and connected (long polling), then the AI model.
  await page.getByTestId('nav-gateways').click()
  await expect(page.getByTestId('gateways-empty')).toBeVisible(LIVE)
  await addGateway(page, 'TELEGRAM_BOT', 'Acme support bot', async () => {
    await input(page, 'gateway-field-botToken').fill(BOT_TOKEN)
  })
  const bot = page.getByTestId('gateway-row').filter({ hasText: 'Acme support bot' })
  await bot.getByTestId('gateway-test').click()
  await expect(bot.getByTestId('gateway-test-result')).toContainText('Connection works', LIVE)
  await expect(bot.getByTestId('gateway-test-result')).toContainText('acme_support_bot')
  await bot.getByTestId('gateway-connect').click()
  await expect(bot.getByTestId('gateway-status')).toHaveText('CONNECTED', LIVE)

  await addGateway(page, 'AI', 'Shop assistant', async () => {
    await choose(page, page.getByTestId('gateway-field-provider'), /custom/i)
    await input(page, 'gateway-field-baseURL').fill(OPENAI_BASE_URL)
    await input(page, 'gateway-field-model').fill('gpt-4o-mini')
    await input(page, 'gateway-field-apiKey').fill(OPENAI_API_KEY)
  })
  const ai = page.getByTestId('gateway-row').filter({ hasText: 'Shop assistant' })
  await ai.getByTestId('gateway-test').click()
  await expect(ai.getByTestId('gateway-test-result')).toContainText('Connection works', LIVE)
  await ai.getByTestId('gateway-connect').click()
  await expect(ai.getByTestId('gateway-status')).toHaveText('CONNECTED', LIVE)
  await expect(page.getByTestId('gateway-row')).toHaveCount(2)
  // Credentials went in once and never come back.
  const { gateways } = await api<{ gateways: { id: string; name: string }[] }>(page, 'GET', '/gateways')
  expect(JSON.stringify(gateways)).not.toContain(BOT_TOKEN)
  expect(JSON.stringify(gateways)).not.toContain(OPENAI_API_KEY)
  const botId = gateways.find((g) => g.name === 'Acme support bot')!.id
  const aiId = gateways.find((g) => g.name === 'Shop assistant')!.id
  await screenshot(page, 'journey-gateways')

  // 2. A blank workflow, built into the auto-reply bot on the canvas.
  await page.getByTestId('nav-workflows').click()
  await expect(page.getByTestId('workflows-empty')).toBeVisible(LIVE)
  await page.getByTestId('workflow-new').click()
  await page.getByTestId('workflow-template-blank').click()
  await page.locator('input[data-testid="workflow-name"]').fill('Support auto-reply')
  await page.getByTestId('workflow-create').click()
  await expect(page).toHaveURL(/\/workflows\/[^/]+$/, LIVE)
  const serviceId = page.url().split('/').pop()!
  await expect(page.getByTestId('node-start')).toBeVisible(LIVE)

  // The trigger: a message to the bot.
  await page.getByTestId('node-trigger').click()
  await choose(page, page.getByTestId('panel-field-trigger'), /^event$/)
  await expect(page.getByTestId('panel-field-gatewayId')).toContainText('Acme support bot')
  await expect(page.getByTestId('node-trigger')).toContainText('message')

  // The blank template's placeholder step goes.
  await page.getByTestId('node-start').click()
  await page.getByTestId('panel-remove').click()
  await expect(page.getByTestId('node-start')).toHaveCount(0)

  // Two gateway steps dragged from the palette side by side (a node lands with its top-left corner
  // at the drop point; both stay clear of the minimap and the zoom controls): the reply first, then the AI answer.
  const canvas = page.getByTestId('canvas')
  const box = (await canvas.boundingBox())!
  await page.getByTestId('palette-gateway').dragTo(canvas, { targetPosition: { x: 12, y: box.height * 0.5 } })
  await expect(page.getByTestId('node-gateway')).toBeVisible()
  await configureGatewayStep(page, 'reply', 'Acme support bot', 'sendMessage', { chat_id: '{{ trigger.message.chat.id }}', text: '{{ steps.ai.output.text }}' })
  await page.getByTestId('palette-gateway').dragTo(canvas, { targetPosition: { x: box.width / 2 + 10, y: box.height * 0.5 } })
  await expect(page.getByTestId('node-gateway')).toBeVisible()
  await configureGatewayStep(page, 'ai', 'Shop assistant', 'chat', { system: 'You are the friendly support assistant of Acme, an online shop. Answer briefly.', prompt: '{{ trigger.message.text }}' })
  // Dropped in that order, the reply would run first: connect the trigger to the AI step, then the AI step to the reply.
  expect(await draftOrder(page)).toEqual(['reply', 'ai'])
  await dragWithMouse(page, handle(page, '__trigger', 'source'), handle(page, 'ai', 'target'))
  await expect.poll(() => draftOrder(page)).toEqual(['ai', 'reply'])
  await dragWithMouse(page, handle(page, 'ai', 'source'), handle(page, 'reply', 'target'))
  await expect(page.locator('.vue-flow__edge')).toHaveCount(2)
  expect(await draftOrder(page)).toEqual(['ai', 'reply'])
  await page.getByTestId('workflow-layout').click()
  await page.getByTestId('workflow-fit').click()
  await expect(page.getByTestId('workflow-issues')).toHaveAttribute('data-count', '0')
  await page.getByTestId('workflow-save').click()
  await expect(page.getByTestId('workflow-version')).toHaveText(/^\s*v\d+\s*$/, LIVE)

  const saved = (await api<ServiceBody>(page, 'GET', `/user/services/${serviceId}`)).service.definition
  expect(saved.trigger).toMatchObject({ type: 'event', gatewayId: botId, event: 'message' })
  expect(saved.steps.map((s) => [s.id, s.gatewayId, s.action])).toEqual([
    ['ai', aiId, 'chat'],
    ['reply', botId, 'sendMessage'],
  ])

  // 3. Test run: wait for a message, then a customer writes to the bot (pushed into the Bot API double's getUpdates).
  await page.getByTestId('workflow-listen').click()
  await expect(page.getByTestId('workflow-listening')).toHaveAttribute('data-status', 'waiting', LIVE)
  await pushTelegramUpdate(customerMessage(CHAT_ID, QUESTION))
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-finished', 'true', LIVE)
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'COMPLETED')
  await expect(page.getByTestId('workflow-listening')).toHaveCount(0)
  for (const id of ['trigger', 'ai', 'reply']) await expect(page.getByTestId(`node-${id}`)).toHaveAttribute('data-run-status', 'done', LIVE)
  await expect(page.locator('.vue-flow__node .wf-node[data-run-status="done"]')).toHaveCount(3)

  // The bot answered the customer with the model's words; every Bot API call kept to the contract.
  await expect.poll(async () => (await telegramCalls()).calls.filter((c) => c.method === 'sendMessage' && c.params.chat_id === CHAT_ID).length, LIVE).toBeGreaterThan(0)
  const tg = await telegramCalls()
  expect(tg.violations).toEqual([])
  for (const call of tg.calls.filter((c) => c.method === 'sendMessage' && c.params.chat_id === CHAT_ID)) expect(call.params.text).toBe(ANSWER)
  const chats = (await openAiRequests()).filter((r) => r.path.endsWith('/chat/completions'))
  expect(JSON.stringify(chats.at(-1)?.body)).toContain(QUESTION)

  await page.getByTestId('node-ai').click()
  await expect(page.getByTestId('panel-last-output')).toContainText('free on orders over €50', LIVE)
  await page.getByTestId('workflow-fit').click()
  // One step out, so the minimap in the corner covers no node.
  await page.locator('.vue-flow__controls-zoomout').click()
  await page.getByTestId('panel-last-run').scrollIntoViewIfNeeded()
  await screenshot(page, 'journey-canvas-test-run')

  // 4. The run, step by step, on the executions page.
  await page.getByTestId('workflow-execution-link').click()
  await expect(page.getByTestId('page-executions')).toBeVisible(LIVE)
  await expect(page.getByTestId('execution-detail-status')).toHaveText('COMPLETED', LIVE)
  await expect(page.getByTestId('execution-step')).toHaveCount(2)
  await expect(page.getByTestId('execution-step-output').first()).toContainText('free on orders over €50')
  await expect(page.getByTestId('execution-row').first()).toBeVisible(LIVE)
  await screenshot(page, 'journey-executions')

  // 5. Export the workflow as JSON.
  await page.goto(`/workflows/${serviceId}`)
  await expect(page.getByTestId('node-ai')).toBeVisible(LIVE)
  const downloading = page.waitForEvent('download', LIVE)
  await page.getByTestId('workflow-export').click()
  const exportedPath = test.info().outputPath('support-auto-reply.json')
  await (await downloading).saveAs(exportedPath)
  const exported = JSON.parse(readFileSync(exportedPath, 'utf8')) as Definition
  expect(exported.steps.map((s) => s.id)).toEqual(['ai', 'reply'])
  expect(JSON.stringify(exported)).not.toContain(BOT_TOKEN)

  // 6. Import it as a copy: a new workflow whose definition comes from the file.
  const copyId = await importAsCopy(page, exportedPath, 'Support auto-reply (copy)')
  const original = (await api<ServiceBody>(page, 'GET', `/user/services/${serviceId}`)).service
  const copy = (await api<ServiceBody>(page, 'GET', `/user/services/${copyId}`)).service
  expect(copy.id).not.toBe(original.id)
  expect(copy.definition).toEqual(original.definition)

  // Two workflows on one bot would both answer: the copy waits, switched off, for later.
  await page.getByTestId('nav-workflows').click()
  await expect(page.getByTestId('workflow-row')).toHaveCount(2, LIVE)
  const copyRow = page.locator(`[data-testid="workflow-row"][data-workflow-id="${copyId}"]`)
  await copyRow.getByTestId('workflow-enabled').click()
  await expect(copyRow.getByTestId('workflow-enabled')).toHaveAttribute('aria-checked', 'false', LIVE)
  await screenshot(page, 'journey-workflows')

  // 7. Dashboard: add a widget, move it up by its handle, reload: the layout stays.
  await page.getByTestId('nav-dashboard').click()
  await expect(page.getByTestId('widget-stats')).toBeVisible(LIVE)
  await page.setViewportSize({ width: 1280, height: 1200 })
  const grid = page.getByTestId('dashboard-grid')
  const before = await widgetOrder(page)
  const added = page.waitForResponse((r) => r.url().endsWith('/api/dashboard/layout') && r.request().method() === 'PUT', LIVE)
  await page.getByTestId('add-widget').click()
  await page.getByTestId('add-widget-gateway-status').click()
  expect((await added).status()).toBe(200)
  // The dialog and its mask must be gone, or they take the drag's pointer events.
  await expect(page.getByTestId('add-widget-dialog')).toBeHidden()
  await expect(page.locator('.n-modal-mask')).toHaveCount(0)
  const withNew = await widgetOrder(page)
  expect(withNew).toHaveLength(before.length + 1)
  const newId = withNew.at(-1)!
  const moved = page.waitForResponse((r) => r.url().endsWith('/api/dashboard/layout') && r.request().method() === 'PUT', LIVE)
  // Onto the Activity widget: the new one takes its place.
  await dragWithMouse(page, grid.locator(`[data-widget-id="${newId}"] [data-testid="widget-handle"]`), grid.locator('[data-widget-id="activity"] [data-testid="widget-handle"]'))
  expect((await moved).status()).toBe(200)
  const after = await widgetOrder(page)
  expect(after.indexOf(newId)).toBeLessThan(after.indexOf('activity'))
  expect([...after].sort()).toEqual([...withNew].sort())
  await page.reload()
  await expect(page.getByTestId('widget-stats')).toBeVisible(LIVE)
  expect(await widgetOrder(page)).toEqual(after)
  await page.setViewportSize({ width: 1280, height: 800 })
  await expect(page.getByTestId('stat-today')).toBeVisible(LIVE)
  await screenshot(page, 'journey-dashboard')

  // 8. Settings.
  await page.getByTestId('nav-settings').click()
  await expect(page.getByTestId('settings-profile')).toBeVisible(LIVE)
  await screenshot(page, 'journey-settings')
})

/** Opens "Add gateway", picks the type, names it, lets `fill` do the type's fields, saves. */
async function addGateway(page: Page, type: string, name: string, fill: () => Promise<void>) {
  await page.getByTestId('gateway-add').click()
  await page.getByTestId(`gateway-type-${type}`).click()
  await expect(page.getByTestId('gateway-form')).toHaveAttribute('data-gateway-type', type)
  await input(page, 'gateway-field-name').fill(name)
  await fill()
  await page.getByTestId('gateway-save').click()
  await expect(page.getByTestId('gateway-dialog')).toBeHidden(LIVE)
  await expect(page.getByTestId('gateway-row').filter({ hasText: name })).toBeVisible(LIVE)
}

/** The step just dropped (id `gateway`, open in the panel) gets its id, gateway, action and params. */
async function configureGatewayStep(page: Page, id: string, gateway: string, action: string, params: Record<string, unknown>) {
  const idField = input(page, 'panel-field-id')
  await expect(idField).toHaveValue('gateway')
  await idField.fill(id)
  await idField.blur()
  // A renamed step leaves the panel; select it again on the canvas.
  await page.getByTestId(`node-${id}`).click()
  await expect(input(page, 'panel-field-id')).toHaveValue(id)
  await choose(page, page.getByTestId('panel-field-gatewayId'), gateway)
  await choose(page, page.getByTestId('panel-field-action'), new RegExp(`^${action}$`))
  const paramsField = page.locator('textarea[data-testid="panel-field-params"]')
  await paramsField.fill(JSON.stringify(params, null, 2))
  await paramsField.blur()
  await expect(page.getByTestId(`node-${id}`)).toContainText(action)
}

/** A node's connection handle on the canvas. */
function handle(page: Page, nodeId: string, kind: 'source' | 'target') {
  return page.locator(`.vue-flow__node[data-id="${nodeId}"] .vue-flow__handle.${kind}`).first()
}

/** The step order the canvas holds right now (from its edges), without saving. */
async function draftOrder(page: Page): Promise<string[]> {
  // Edge ids are `next:<source>-><target>` (workflow-graph.ts), on Vue Flow's `data-id`.
  const edges = await page.locator('.vue-flow__edge').evaluateAll((els) => els.map((el) => el.getAttribute('data-id') ?? ''))
  const next = new Map<string, string>()
  for (const e of edges) {
    const m = /^next:(.+)->(.+)$/.exec(e)
    if (m) next.set(m[1]!, m[2]!)
  }
  const order: string[] = []
  for (let at = next.get('__trigger'); at && !order.includes(at); at = next.get(at)) order.push(at)
  return order
}

function widgetOrder(page: Page): Promise<string[]> {
  return page.getByTestId('dashboard-grid').locator('[data-widget-id]').evaluateAll((els) => els.map((el) => el.getAttribute('data-widget-id') ?? ''))
}

/**
 * "Import as a copy" the way the UI offers it: a new blank workflow, then Import JSON on its canvas
 * and Save. Returns the copy's id.
 */
async function importAsCopy(page: Page, file: string, name: string): Promise<string> {
  await page.getByTestId('nav-workflows').click()
  await page.getByTestId('workflow-new').click()
  await page.getByTestId('workflow-template-blank').click()
  await page.locator('input[data-testid="workflow-name"]').fill(name)
  await page.getByTestId('workflow-create').click()
  await expect(page).toHaveURL(/\/workflows\/[^/]+$/, LIVE)
  await expect(page.getByTestId('node-start')).toBeVisible(LIVE)
  const id = page.url().split('/').pop()!
  await page.getByTestId('workflow-import-file').setInputFiles(file)
  await expect(page.getByTestId('node-ai')).toBeVisible(LIVE)
  await expect(page.getByTestId('node-start')).toHaveCount(0)
  await page.getByTestId('workflow-save').click()
  await expect(page.getByTestId('workflow-version')).toHaveText(/^\s*v2\s*$/, LIVE)
  return id
}
