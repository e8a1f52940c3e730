import type { Pinia } from 'pinia'
import { createRouter, type RouteRecordRaw, type RouterHistory } from 'vue-router'
import { useAuthStore } from '../features/auth/auth.store'
import { comingSoonRoutes } from '../features/coming-soon/coming-soon.pages'

declare module 'vue-router' {
  interface RouteMeta {
    /** Signed-out visitors are sent to /login. */
    requiresAuth?: boolean
    /** Signed-in users are sent to the dashboard (login, register). */
    guestOnly?: boolean
    title?: string
  }
}

export const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('../features/auth/components/LoginPage.vue'), meta: { guestOnly: true, title: 'Sign in' } },
  { path: '/register', name: 'register', component: () => import('../features/auth/components/RegisterPage.vue'), meta: { guestOnly: true, title: 'Create your account' } },
  { path: '/forgot-password', name: 'forgot-password', component: () => import('../features/auth/components/ForgotPasswordPage.vue'), meta: { title: 'Forgot password' } },
  { path: '/reset-password', name: 'reset-password', component: () => import('../features/auth/components/ResetPasswordPage.vue'), meta: { title: 'Reset password' } },
  { path: '/verify-email', name: 'verify-email', component: () => import('../features/auth/components/VerifyEmailPage.vue'), meta: { title: 'Confirm your email' } },
  {
    path: '/',
    component: () => import('../features/shell/components/AppShell.vue'),
    meta: { requiresAuth: true },
    children: [
      { path: '', name: 'dashboard', component: () => import('../features/dashboard/components/DashboardPage.vue'), meta: { title: 'Dashboard' } },
      ...comingSoonRoutes,
      { path: 'workflows', name: 'workflows', component: () => import('../features/workflows/components/WorkflowsPage.vue'), meta: { title: 'Workflows' } },
      { path: 'workflows/:id', name: 'workflow-editor', component: () => import('../features/workflows/components/WorkflowEditorPage.vue'), props: true, meta: { title: 'Workflow' } },
      { path: 'marketplace', name: 'marketplace', component: () => import('../features/plugins/components/MarketplacePage.vue'), meta: { title: 'Marketplace' } },
      { path: 'gateways', name: 'gateways', component: () => import('../features/gateways/components/GatewaysPage.vue'), meta: { title: 'Gateways' } },
      { path: 'workspace', name: 'workspace', component: () => import('../features/workspace/components/WorkspacePage.vue'), meta: { title: 'Workspace' } },
      { path: 'billing', name: 'billing', component: () => import('../features/billing/components/BillingPage.vue'), meta: { title: 'Billing' } },
      { path: 'executions/:serviceId/:executionId?', name: 'executions', component: () => import('../features/executions/components/ExecutionsPage.vue'), props: true, meta: { title: 'Executions' } },
      {
        path: 'settings',
        component: () => import('../features/settings/components/SettingsPage.vue'),
        meta: { title: 'Settings' },
        children: [
          { path: '', redirect: { name: 'settings-profile' } },
          { path: 'profile', name: 'settings-profile', component: () => import('../features/settings/components/ProfileSettings.vue'), meta: { title: 'Profile' } },
          { path: 'appearance', name: 'settings-appearance', component: () => import('../features/settings/components/AppearanceSettings.vue'), meta: { title: 'Appearance' } },
          { path: 'security', name: 'settings-security', component: () => import('../features/settings/components/SecuritySettings.vue'), meta: { title: 'Security' } },
          { path: 'api-keys', name: 'settings-api-keys', component: () => import('../features/api-keys/components/ApiKeysSettings.vue'), meta: { title: 'API keys' } },
          { path: 'danger', name: 'settings-danger', component: () => import('../features/settings/components/DangerZoneSettings.vue'), meta: { title: 'Danger zone' } },
        ],
      },
    ],
  },
  { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('../shared/components/NotFoundPage.vue'), meta: { title: 'Not found' } },
]

/** The app's router: loads the session before the first navigation and guards signed-in pages. */
export function createAppRouter(pinia: Pinia, history: RouterHistory) {
  const router = createRouter({ history, routes, linkActiveClass: 'is-active', linkExactActiveClass: 'is-exact-active' })
  const auth = useAuthStore(pinia)

  router.beforeEach(async (to) => {
    await auth.ensureLoaded()
    if (to.matched.some((r) => r.meta.requiresAuth) && !auth.isSignedIn) {
      return { name: 'login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } }
    }
    if (to.meta.guestOnly && auth.isSignedIn) return { name: 'dashboard' }
    return true
  })

  router.afterEach((to) => {
    document.title = to.meta.title ? `${to.meta.title} · 2Bot` : '2Bot'
  })

  // Logout, "log out all devices", account deletion or an expired session: leave the signed-in pages.
  auth.onSignedOut(() => {
    const current = router.currentRoute.value
    if (!current.matched.some((r) => r.meta.requiresAuth)) return
    const query = auth.lastUnauthorized ? { reason: 'expired', redirect: current.fullPath } : {}
    auth.lastUnauthorized = null
    void router.replace({ name: 'login', query })
  })

  return router
}
