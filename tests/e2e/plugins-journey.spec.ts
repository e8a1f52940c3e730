import { expect, test, type Page } from '@playwright/test'
import { api, choose, LIVE, register, screenshot } from './support/journey'

interface Definition {
  steps: { id: string; type: string; plugin?: string; action?: string; params?: Record<string, unknown> }[]
}

/**
 * A plugin from the Marketplace in a workflow: install Text Tools (no settings, no gateway), call
 * its `slugify` action from a plugin step on the canvas and see the slug come back from the
 * sandbox; disable the plugin and the next run fails, saying so. The screenshot of the Marketplace
 * goes to docs/screenshots.
 */
test('install a plugin, call it from a workflow, and a disabled plugin fails the run', async ({ page }) => {
  test.setTimeout(180_000)
  const email = `e2e-plugins-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`
  await register(page, 'Ada', email)

  // 1. Marketplace → Browse: Text Tools, not installed yet; install it (it has nothing to set up).
  await page.getByTestId('nav-marketplace').click()
  await expect(page.getByTestId('page-marketplace')).toBeVisible(LIVE)
  const card = page.locator('[data-testid="plugin-card"][data-slug="text-tools"]')
  await expect(card.getByTestId('plugin-card-name')).toHaveText('Text Tools', LIVE)
  await expect(card.getByTestId('plugin-actions')).toContainText('Make a slug')
  await card.getByTestId('plugin-install').click()
  await expect(card.getByTestId('plugin-installed')).toBeVisible(LIVE)
  await expect(page.getByTestId('plugin-install-dialog')).toHaveCount(0)
  await screenshot(page, 'marketplace')

  // 2. Installed: Text Tools, switched on.
  await page.getByTestId('marketplace-tab-installed').click()
  const installed = page.locator('[data-testid="installed-plugin"][data-slug="text-tools"]')
  await expect(installed).toBeVisible(LIVE)
  await expect(installed.getByTestId('installed-plugin-enabled')).toHaveAttribute('aria-checked', 'true')
  await expect(installed.getByTestId('installed-plugin-disabled')).toHaveCount(0)

  // 3. A blank workflow with a plugin step that slugifies a fixed text, run for real.
  await page.getByTestId('nav-workflows').click()
  await expect(page.getByTestId('page-workflows')).toBeVisible(LIVE)
  await page.getByTestId('workflow-new').click()
  await page.getByTestId('workflow-template-blank').click()
  await page.locator('input[data-testid="workflow-name"]').fill('Slug maker')
  await page.getByTestId('workflow-create').click()
  await expect(page).toHaveURL(/\/workflows\/[^/]+$/, LIVE)
  const serviceId = page.url().split('/').pop()!
  await expect(page.getByTestId('node-start')).toBeVisible(LIVE)

  await page.getByTestId('palette-plugin').click()
  await expect(page.getByTestId('node-plugin')).toBeVisible(LIVE)
  await choose(page, page.getByTestId('panel-field-plugin'), /^Text Tools$/)
  await choose(page, page.getByTestId('panel-field-action'), /^Make a slug$/)
  await expect(page.getByTestId('panel-plugin-action-hint')).toContainText('Text (string, required)')
  const params = page.locator('textarea[data-testid="panel-field-params"]')
  await params.fill('{"text": "Hello World Plugins"}')
  await params.blur()
  await expect(page.getByTestId('workflow-issues')).toHaveAttribute('data-count', '0')
  await page.getByTestId('workflow-save').click()
  await expect(page.getByTestId('workflow-version')).toHaveText(/^\s*v\d+\s*$/, LIVE)

  const saved = (await api<{ service: { definition: Definition } }>(page, 'GET', `/user/services/${serviceId}`)).service.definition
  expect(saved.steps.find((s) => s.type === 'plugin')).toMatchObject({ id: 'plugin', type: 'plugin', plugin: 'text-tools', action: 'slugify', params: { text: 'Hello World Plugins' } })

  await runForReal(page)
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'COMPLETED')
  await expect(page.getByTestId('node-plugin')).toHaveAttribute('data-run-status', 'done', LIVE)
  await page.getByTestId('node-plugin').click()
  await expect(page.getByTestId('panel-last-output')).toContainText('"slug": "hello-world-plugins"', LIVE)

  // 4. Disable the plugin on the Marketplace; the same workflow's next run fails on that step.
  await page.getByTestId('nav-marketplace').click()
  await page.getByTestId('marketplace-tab-installed').click()
  await expect(installed).toBeVisible(LIVE)
  await installed.getByTestId('installed-plugin-enabled').click()
  await expect(installed.getByTestId('installed-plugin-enabled')).toHaveAttribute('aria-checked', 'false', LIVE)
  await expect(installed.getByTestId('installed-plugin-disabled')).toBeVisible()

  await page.getByTestId('nav-workflows').click()
  await page.locator(`[data-testid="workflow-row"][data-workflow-id="${serviceId}"]`).getByTestId('workflow-open').click()
  await expect(page.getByTestId('node-plugin')).toBeVisible(LIVE)
  await runForReal(page)
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'FAILED')
  await expect(page.getByTestId('node-plugin')).toHaveAttribute('data-run-status', 'failed', LIVE)
  await page.getByTestId('node-plugin').click()
  await expect(page.getByTestId('panel-last-error')).toContainText('The plugin "text-tools" is disabled', LIVE)
})

/** Turns dry run off (a dry run skips steps with side effects, as plugin steps are) and runs, waiting for the end. */
async function runForReal(page: Page) {
  const dryRun = page.getByTestId('workflow-dry-run')
  if ((await dryRun.getAttribute('aria-checked')) === 'true') await dryRun.click()
  await expect(dryRun).toHaveAttribute('aria-checked', 'false')
  await page.getByTestId('workflow-run').click()
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-finished', 'true', LIVE)
}
