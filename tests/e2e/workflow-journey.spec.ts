import { mkdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, test, type Locator, type Page } from '@playwright/test'

/** The repo root is two levels up from tests/e2e; the screenshots of the main pages land in docs/. */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const SHOTS = join(ROOT, 'docs', 'screenshots')
const LIVE = { timeout: 20_000 }

function input(page: Page, testid: string): Locator {
  return page.getByTestId(testid).locator('input').or(page.locator(`input[data-testid="${testid}"]`)).first()
}

/** A page once it has loaded (no spinner, no toast left), with transitions settled. */
async function shot(page: Page, name: string) {
  await expect(page.locator('.n-spin-content--spinning')).toHaveCount(0, LIVE)
  await expect(page.locator('.n-message')).toHaveCount(0, LIVE)
  mkdirSync(SHOTS, { recursive: true })
  await page.screenshot({ path: join(SHOTS, `${name}.png`), animations: 'disabled' })
}

/** A newcomer builds a workflow on the canvas, runs it for real and watches every step finish live. */
test('create a workflow, run it live on the canvas, export it', async ({ page }) => {
  const email = `e2e-wf-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`

  await page.goto('/register')
  await input(page, 'register-email').fill(email)
  await input(page, 'register-name').fill('Grace')
  await input(page, 'register-password').fill('E2e-Workflow-1!')
  await page.getByTestId('register-submit').click()
  await expect(page.getByTestId('dashboard-greeting')).toContainText('Grace', LIVE)
  await shot(page, 'dashboard')

  // Workflows → New workflow → Blank → name → the editor opens.
  await page.getByTestId('nav-workflows').click()
  await expect(page.getByTestId('page-workflows')).toBeVisible(LIVE)
  await page.getByTestId('workflow-new').click()
  await expect(page.getByTestId('workflow-new-dialog')).toBeVisible()
  await page.getByTestId('workflow-template-blank').click()
  await expect(page.getByTestId('workflow-template-blank')).toHaveAttribute('aria-pressed', 'true')
  await page.locator('input[data-testid="workflow-name"]').fill('E2E live run')
  await page.getByTestId('workflow-create').click()
  await expect(page).toHaveURL(/\/workflows\/[^/]+$/, LIVE)
  await expect(page.getByTestId('page-workflow-editor')).toBeVisible(LIVE)
  await expect(page.getByTestId('node-start')).toBeVisible(LIVE)

  // A Transform step from the palette, then Save.
  await page.getByTestId('palette-transform').click()
  await expect(page.getByTestId('node-transform')).toBeVisible(LIVE)
  await expect(page.getByTestId('workflow-version')).toContainText('unsaved changes')
  await page.getByTestId('workflow-save').click()
  await expect(page.getByTestId('workflow-version')).toHaveText(/^\s*v\d+\s*$/, LIVE)
  await expect(page.getByTestId('workflow-issues')).toHaveAttribute('data-count', '0')

  // A real run (not a dry run), followed live.
  const dryRun = page.getByTestId('workflow-dry-run')
  await expect(dryRun).toHaveAttribute('aria-checked', 'true')
  await dryRun.click()
  await expect(dryRun).toHaveAttribute('aria-checked', 'false')
  await page.getByTestId('workflow-run').click()
  await expect(page.getByTestId('run-status')).toContainText('COMPLETED', LIVE)
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-finished', 'true')
  for (const id of ['trigger', 'start', 'transform']) await expect(page.getByTestId(`node-${id}`)).toHaveAttribute('data-run-status', 'done', LIVE)
  const nodes = page.locator('.vue-flow__node .wf-node')
  await expect(nodes).toHaveCount(3)
  await expect(page.locator('.vue-flow__node .wf-node[data-run-status="done"]')).toHaveCount(3, LIVE)
  await expect(page.getByTestId('workflow-execution-link')).toHaveAttribute('href', /\/executions\//)

  // The selected step shows what it produced in the last run.
  await page.getByTestId('node-start').click()
  await expect(page.getByTestId('panel-last-output')).toContainText('"hello": "world"', LIVE)
  await shot(page, 'workflow-editor')

  // Export JSON: the file holds the definition with both steps.
  const downloading = page.waitForEvent('download', LIVE)
  await page.getByTestId('workflow-export').click()
  const download = await downloading
  const file = await download.path()
  const exported = JSON.parse(readFileSync(file, 'utf8')) as { trigger: { type: string }; steps: { id: string; type: string }[] }
  expect(exported.trigger.type).toBe('manual')
  expect(exported.steps.map((s) => s.id)).toEqual(['start', 'transform'])
  expect(exported.steps.every((s) => s.type === 'transform')).toBe(true)

  await page.getByTestId('nav-workflows').click()
  await expect(page.getByTestId('workflow-row')).toHaveCount(1, LIVE)
  await expect(page.getByTestId('workflow-open')).toContainText('E2E live run')
  await shot(page, 'workflows')

  await page.getByTestId('nav-gateways').click()
  await expect(page.getByTestId('page-gateways')).toBeVisible(LIVE)
  await expect(page.getByTestId('page-gateways')).toContainText('No gateways yet', LIVE)
  await shot(page, 'gateways')

  await page.getByTestId('nav-settings').click()
  await expect(page.getByTestId('page-settings')).toBeVisible(LIVE)
  await shot(page, 'settings')
})
