import * as v from 'valibot'

export const Email = v.pipe(
  v.string('Email is required'),
  v.trim(),
  v.toLowerCase(),
  v.maxLength(254, 'Email is too long'),
  v.email('Enter a valid email address'),
)

/** The password policy for new passwords (register, reset, change). */
export const NewPassword = v.pipe(
  v.string('Password is required'),
  v.minLength(8, 'Use at least 8 characters'),
  v.maxLength(200, 'Use at most 200 characters'),
  v.regex(/[A-Z]/, 'Include an uppercase letter'),
  v.regex(/[0-9]/, 'Include a number'),
  v.regex(/[^A-Za-z0-9]/, 'Include a symbol'),
)

/** Existing passwords are only bounded, never re-checked against today's policy. */
const AnyPassword = v.pipe(v.string('Password is required'), v.minLength(1, 'Password is required'), v.maxLength(200, 'Password is too long'))

const Token = v.pipe(v.string('Token is required'), v.minLength(16, 'Token is invalid'), v.maxLength(200, 'Token is invalid'))

/** 'cookie' for browsers (default); 'bearer' returns a token for the desktop app. */
const TokenType = v.optional(v.picklist(['cookie', 'bearer'], 'tokenType must be cookie or bearer'))

export const RegisterBody = v.strictObject({
  email: Email,
  password: NewPassword,
  name: v.optional(v.pipe(v.string(), v.trim(), v.minLength(1, 'Name is empty'), v.maxLength(100, 'Name is too long'))),
  tokenType: TokenType,
})

export const LoginBody = v.strictObject({
  email: Email,
  password: AnyPassword,
  tokenType: TokenType,
})

export const ForgotPasswordBody = v.strictObject({ email: Email })
export const ResetPasswordBody = v.strictObject({ token: Token, password: NewPassword })
export const VerifyEmailBody = v.strictObject({ token: Token })
export const ChangePasswordBody = v.strictObject({ currentPassword: AnyPassword, newPassword: NewPassword })

export type RegisterInput = v.InferOutput<typeof RegisterBody>
export type LoginInput = v.InferOutput<typeof LoginBody>
