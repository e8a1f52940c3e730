import { useRoute, useRouter } from 'vue-router'

/** Where to go after signing in: `?redirect=` when it is a path of this app, the dashboard otherwise. */
export function safeRedirect(target: unknown): string {
  return typeof target === 'string' && target.startsWith('/') && !target.startsWith('//') && !target.startsWith('/\\') ? target : '/'
}

export function useAfterSignIn() {
  const route = useRoute()
  const router = useRouter()
  return () => router.replace(safeRedirect(route.query.redirect))
}
