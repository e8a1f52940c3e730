import * as v from 'valibot'

export const THEME_PREFERENCES = ['light', 'dark', 'system'] as const
export type ThemePreference = (typeof THEME_PREFERENCES)[number]

export const UpdateMeBody = v.pipe(
  v.strictObject({
    name: v.optional(v.pipe(v.string(), v.trim(), v.minLength(1, 'Name is empty'), v.maxLength(100, 'Name is too long'))),
    image: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(2048), v.url('Image must be a URL')))),
    theme: v.optional(v.picklist(THEME_PREFERENCES, 'Theme must be light, dark or system')),
  }),
  v.check((body) => Object.keys(body).length > 0, 'Nothing to update'),
)

export const DeleteMeBody = v.strictObject({
  password: v.pipe(v.string('Password is required'), v.minLength(1, 'Password is required'), v.maxLength(200)),
})

/** What the API returns for a user; never includes hashes or lockout internals. */
export interface PublicUser {
  id: string
  email: string
  name: string | null
  image: string | null
  emailVerified: boolean
  role: 'OWNER' | 'ADMIN' | 'MEMBER'
  plan: 'FREE' | 'STARTER' | 'PRO' | 'BUSINESS' | 'ENTERPRISE'
  theme: ThemePreference
  organizationId: string | null
  createdAt: string
}
