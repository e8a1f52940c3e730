import { readFileSync } from 'node:fs'
import { expect, test, type Locator, type Page } from '@playwright/test'

const LIVE = { timeout: 20_000 }

function input(page: Page, testid: string): Locator {
  return page.getByTestId(testid).locator('input').or(page.locator(`input[data-testid="${testid}"]`)).first()
}

async function newBlankWorkflow(page: Page, name: string) {
  await page.getByTestId('nav-workflows').click()
  await expect(page.getByTestId('page-workflows')).toBeVisible(LIVE)
  await page.getByTestId('workflow-new').click()
  await page.getByTestId('workflow-template-blank').click()
  await page.locator('input[data-testid="workflow-name"]').fill(name)
  await page.getByTestId('workflow-create').click()
  await expect(page).toHaveURL(/\/workflows\/[^/]+$/, LIVE)
  await expect(page.getByTestId('node-start')).toBeVisible(LIVE)
  return page.url().split('/').pop()!
}

/** Drags from one element's centre to another's with real mouse moves (Vue Flow listens to pointer events). */
async function dragBetween(page: Page, from: Locator, to: Locator) {
  const a = (await from.boundingBox())!
  const b = (await to.boundingBox())!
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2)
  await page.mouse.down()
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 12 })
  await page.mouse.up()
}

/**
 * Builds a workflow by dragging steps from the palette and connecting a branch by hand, exports it,
 * imports the file into a second workflow, and checks through the API that the copy equals the
 * original. Then copy/paste, auto-layout and restoring an old version on the canvas.
 */
test('build by drag and connect, export, import as a copy, restore a version', async ({ page }) => {
  const email = `e2e-canvas-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`
  await page.goto('/register')
  await input(page, 'register-email').fill(email)
  await input(page, 'register-name').fill('Ada')
  await input(page, 'register-password').fill('E2e-Canvas-1!')
  await page.getByTestId('register-submit').click()
  await expect(page.getByTestId('dashboard-greeting')).toBeVisible(LIVE)

  const originalId = await newBlankWorkflow(page, 'Canvas original')
  const canvas = page.getByTestId('canvas')
  const box = (await canvas.boundingBox())!
  const start = (await page.getByTestId('node-start').boundingBox())!

  // Drag a Condition and a Delay from the palette onto empty parts of the canvas, beside the start step.
  const left = { x: Math.max(10, start.x - box.x - start.width - 30), y: start.y - box.y }
  const right = { x: Math.min(box.width - start.width - 10, start.x - box.x + start.width + 20), y: start.y - box.y + 110 }
  await page.getByTestId('palette-condition').dragTo(canvas, { targetPosition: left })
  await expect(page.getByTestId('node-condition')).toBeVisible(LIVE)
  await page.getByTestId('palette-delay').dragTo(canvas, { targetPosition: right })
  await expect(page.getByTestId('node-delay')).toBeVisible(LIVE)
  await page.getByTestId('workflow-fit').click()

  // Connect the condition's green "then" handle to the delay.
  await dragBetween(page, page.getByTestId('node-condition').locator('.vue-flow__handle[data-handleid="then"]'), page.getByTestId('node-delay').locator('.vue-flow__handle.target'))
  await expect(page.locator('.vue-flow__edge.wf-edge-then')).toHaveCount(1, LIVE)

  await page.getByTestId('workflow-save').click()
  await expect(page.getByTestId('workflow-version')).toHaveText(/^\s*v2\s*$/, LIVE)

  // Export: the file holds the three steps and the branch drawn by hand.
  const downloading = page.waitForEvent('download', LIVE)
  await page.getByTestId('workflow-export').click()
  const file = await (await downloading).path()
  const exported = JSON.parse(readFileSync(file, 'utf8')) as { steps: { id: string; then?: string; position?: unknown }[] }
  expect(exported.steps.map((s) => s.id)).toEqual(['start', 'condition', 'delay'])
  expect(exported.steps[1]).toMatchObject({ then: 'delay', position: expect.any(Object) })

  // Import the file into a second workflow as a copy, and save it.
  const copyId = await newBlankWorkflow(page, 'Canvas copy')
  await page.getByTestId('workflow-import-file').setInputFiles(file)
  await expect(page.getByTestId('node-delay')).toBeVisible(LIVE)
  await page.getByTestId('workflow-save').click()
  await expect(page.getByTestId('workflow-version')).toHaveText(/^\s*v2\s*$/, LIVE)

  // The copy's saved definition equals the original's (read back through the API).
  const definitionOf = async (id: string) => ((await (await page.request.get(`/api/user/services/${id}`)).json()) as { service: { definition: unknown } }).service.definition
  const [original, copy] = await Promise.all([definitionOf(originalId), definitionOf(copyId)])
  expect(copy).toEqual(original)

  // Copy/paste a step (fresh id), auto-layout, undo both.
  await page.getByTestId('node-delay').click()
  await page.keyboard.press('Control+C')
  await page.keyboard.press('Control+V')
  await expect(page.getByTestId('node-delay2')).toBeVisible(LIVE)
  await page.getByTestId('workflow-layout').click()
  await expect(page.getByTestId('workflow-version')).toContainText('unsaved changes', LIVE)
  await page.getByTestId('workflow-undo').click()
  await page.getByTestId('workflow-undo').click()
  await expect(page.getByTestId('node-delay2')).toHaveCount(0)
  await expect(page.getByTestId('workflow-version')).not.toContainText('unsaved changes')

  // Versions: restore version 1 (the blank start) after a confirmation; it becomes version 3.
  await page.getByTestId('workflow-versions').click()
  await expect(page.getByTestId('version-2')).toBeVisible(LIVE)
  await page.getByTestId('version-restore-1').click()
  await page.getByTestId('confirm-ok').click()
  await expect(page.getByTestId('workflow-version')).toHaveText(/^\s*v3\s*$/, LIVE)
  await expect(page.getByTestId('node-delay')).toHaveCount(0)
  expect(((await definitionOf(copyId)) as { steps: { id: string }[] }).steps.map((s) => s.id)).toEqual(['start'])
})

/** One step run with pinned input: only that step runs, and the panel shows what it saw and produced. */
test('run a single step with pinned trigger data and an earlier output', async ({ page }) => {
  const email = `e2e-step-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`
  await page.goto('/register')
  await input(page, 'register-email').fill(email)
  await input(page, 'register-name').fill('Lin')
  await input(page, 'register-password').fill('E2e-Canvas-1!')
  await page.getByTestId('register-submit').click()
  await expect(page.getByTestId('dashboard-greeting')).toBeVisible(LIVE)
  await newBlankWorkflow(page, 'Single step')

  // A transform after `start` that reads start's output and the trigger; {{ offers both while typing.
  await page.getByTestId('palette-transform').click()
  await expect(page.getByTestId('node-transform')).toBeVisible(LIVE)
  const value = page.locator('textarea[data-testid="panel-field-value"]')
  await value.fill('{"greeting": "{{ steps.st')
  await expect(page.getByTestId('variable-option').first()).toHaveText('steps.start.output', LIVE)
  await value.fill('{"greeting": "{{ steps.start.output.hello }} {{ trigger.name }}"}')
  await value.blur()

  await page.getByTestId('panel-step-test').locator('summary').click()
  await page.locator('textarea[data-testid="panel-pin-trigger"]').fill('{"name": "Ada"}')
  await page.locator('textarea[data-testid="panel-pin-outputs"]').fill('{"start": {"hello": "pinned"}}')
  await page.getByTestId('panel-run-step').click()

  await expect(page.getByTestId('run-status')).toContainText('COMPLETED', LIVE)
  await expect(page.getByTestId('workflow-execution')).toContainText('of step transform')
  await expect(page.getByTestId('panel-last-output')).toContainText('"greeting": "pinned Ada"', LIVE)
  await expect(page.getByTestId('panel-last-input')).toContainText('"name": "Ada"')
  await expect(page.getByTestId('panel-last-input')).toContainText('"hello": "pinned"')
  await expect(page.getByTestId('node-transform')).toHaveAttribute('data-run-status', 'done')
  // The earlier step did not run: its output was pinned.
  await expect(page.getByTestId('node-start')).not.toHaveAttribute('data-run-status', /.+/)
})

/** A loop is a box on the canvas holding its body steps: they are selected, added and removed like any step. */
test('edit a loop body on the canvas', async ({ page }) => {
  const email = `e2e-loop-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`
  await page.goto('/register')
  await input(page, 'register-email').fill(email)
  await input(page, 'register-name').fill('Kay')
  await input(page, 'register-password').fill('E2e-Canvas-1!')
  await page.getByTestId('register-submit').click()
  await expect(page.getByTestId('dashboard-greeting')).toBeVisible(LIVE)
  const id = await newBlankWorkflow(page, 'Loop body')

  await page.getByTestId('palette-loop').click()
  const loop = page.getByTestId('node-loop')
  await expect(page.getByTestId('node-loop_body')).toBeVisible(LIVE)
  const inside = async (testid: string) => {
    const [outer, inner] = [(await loop.boundingBox())!, (await page.getByTestId(testid).boundingBox())!]
    return inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.width <= outer.x + outer.width + 1 && inner.y + inner.height <= outer.y + outer.height + 1
  }
  expect(await inside('node-loop_body')).toBe(true)

  // The body step opens the usual panel; its {{ }} suggestions start with the loop's item and index.
  await page.getByTestId('node-loop_body').click()
  await expect(input(page, 'panel-field-id')).toHaveValue('loop_body')
  const value = page.locator('textarea[data-testid="panel-field-value"]')
  await value.fill('"{{ ')
  await expect(page.getByTestId('variable-option').first()).toHaveText('item', LIVE)
  await value.fill('"{{ item }} #{{ index }}"')
  await value.blur()

  // "+ step" in the box adds to the body; a step dropped from the palette onto the box joins it too.
  await page.getByTestId('loop-add-loop').selectOption('delay')
  await expect(page.getByTestId('node-delay')).toBeVisible(LIVE)
  await page.getByTestId('workflow-fit').click()
  const box = (await loop.boundingBox())!
  const canvas = (await page.getByTestId('canvas').boundingBox())!
  await page.getByTestId('palette-code').dragTo(page.getByTestId('canvas'), { targetPosition: { x: box.x - canvas.x + box.width - 12, y: box.y - canvas.y + box.height - 12 } })
  await expect(page.getByTestId('node-code')).toBeVisible(LIVE)
  await page.getByTestId('workflow-layout').click()
  await page.getByTestId('workflow-fit').click()
  await expect(page.locator('.vue-flow__edge.wf-edge-body')).toHaveCount(1)
  for (const node of ['node-loop_body', 'node-delay', 'node-code']) expect(await inside(node)).toBe(true)
  await page.screenshot({ path: '.tmp/e2e-results/loop-body.png' })

  // Delete a body step with the keyboard, undo and redo it, then save.
  await page.getByTestId('node-delay').click()
  await page.keyboard.press('Delete')
  await expect(page.getByTestId('node-delay')).toHaveCount(0)
  await page.getByTestId('workflow-undo').click()
  await expect(page.getByTestId('node-delay')).toBeVisible()
  await page.getByTestId('workflow-redo').click()
  await expect(page.getByTestId('node-delay')).toHaveCount(0)
  await expect(page.getByTestId('workflow-issues')).toHaveAttribute('data-count', '0')
  await page.getByTestId('workflow-save').click()
  await expect(page.getByTestId('workflow-version')).toHaveText(/^\s*v2\s*$/, LIVE)

  const saved = ((await (await page.request.get(`/api/user/services/${id}`)).json()) as { service: { definition: { steps: { id: string; steps?: { id: string; value?: unknown }[] }[] } } }).service.definition
  expect(saved.steps.map((s) => s.id)).toEqual(['start', 'loop'])
  expect(saved.steps[1]!.steps!.map((s) => s.id)).toEqual(['loop_body', 'code'])
  expect(saved.steps[1]!.steps![0]!.value).toBe('{{ item }} #{{ index }}')

  // Dragging a body step out of the box makes it a top-level step.
  const code = (await page.getByTestId('node-code').boundingBox())!
  const outer = (await loop.boundingBox())!
  await page.mouse.move(code.x + 30, code.y + 10)
  await page.mouse.down()
  await page.mouse.move(outer.x + outer.width + 50, code.y + 10, { steps: 12 })
  await page.mouse.up()
  await expect.poll(() => inside('node-code')).toBe(false)
  await page.getByTestId('workflow-save').click()
  await expect(page.getByTestId('workflow-version')).toHaveText(/^\s*v3\s*$/, LIVE)
  const moved = ((await (await page.request.get(`/api/user/services/${id}`)).json()) as { service: { definition: { steps: { id: string }[] } } }).service.definition
  expect(moved.steps.map((s) => s.id)).toEqual(['start', 'loop', 'code'])
})
