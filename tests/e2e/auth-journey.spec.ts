import { expect, test, type Page } from '@playwright/test'

/** A newcomer's first minutes: register → dashboard → log out → log in → change theme → log out. */
test('register, log in, change theme, log out', async ({ page }) => {
  const email = `e2e-${Date.now()}@example.com`
  const password = 'E2e-Journey-1!'

  await page.goto('/')
  await expect(page).toHaveURL(/\/login/)
  await page.getByTestId('go-register').click()
  await page.getByTestId('register-email').locator('input').or(page.locator('input[data-testid="register-email"]')).first().fill(email)
  await page.getByTestId('register-name').locator('input').or(page.locator('input[data-testid="register-name"]')).first().fill('Ada')
  await page.getByTestId('register-password').locator('input').or(page.locator('input[data-testid="register-password"]')).first().fill(password)
  await page.getByTestId('register-submit').click()

  await expect(page.getByTestId('dashboard-greeting')).toContainText('Ada')
  for (const nav of ['dashboard', 'gateways', 'workflows', 'marketplace', 'organization', 'billing', 'settings']) {
    await expect(page.getByTestId(`nav-${nav}`)).toBeVisible()
  }

  await logOut(page)
  await expect(page).toHaveURL(/\/login/)

  await page.getByTestId('login-email').locator('input').or(page.locator('input[data-testid="login-email"]')).first().fill(email)
  await page.getByTestId('login-password').locator('input').or(page.locator('input[data-testid="login-password"]')).first().fill(password)
  await page.getByTestId('login-submit').click()
  await expect(page.getByTestId('dashboard-greeting')).toBeVisible()

  await page.getByTestId('nav-settings').click()
  await page.getByTestId('settings-tab-appearance').click()
  await page.getByTestId('theme-option-dark').click()
  await expect(page.locator('[data-theme="dark"]').first()).toBeVisible()
  // The choice is stored on the account, not only in this browser.
  const me = await page.request.get('/api/users/me')
  expect((await me.json()).user.theme).toBe('dark')
  await page.reload()
  await expect(page.locator('[data-theme="dark"]').first()).toBeVisible()

  await logOut(page)
  await expect(page).toHaveURL(/\/login/)
  expect((await page.request.get('/api/auth/session')).status()).toBe(401)
})

async function logOut(page: Page) {
  const direct = page.getByTestId('logout')
  if (!(await direct.isVisible())) await page.getByTestId('user-menu').click()
  await page.getByTestId('logout').click()
}
