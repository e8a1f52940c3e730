import type { PublicUser, ThemePreference } from '@2bot/contracts'
import type { User } from '../../db/schema'

export function toPublicUser(user: User): PublicUser {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    image: user.image,
    emailVerified: user.emailVerifiedAt !== null,
    role: user.role,
    plan: user.plan,
    theme: user.theme as ThemePreference,
    organizationId: user.organizationId,
    createdAt: user.createdAt.toISOString(),
  }
}
