import { LoginBody } from '@2bot/contracts'
import * as v from 'valibot'
import { describe, expect, it, vi } from 'vitest'
import { apiError, apiOn, fakeServer, json } from '../test/fake-server'
import { ApiError, apiErrorFromResponse, fieldErrorsOf, issuesToFieldErrors, toApiError } from './api-error'

describe('fieldErrorsOf', () => {
  it('maps validation details to one message per field (the first wins)', () => {
    expect(
      fieldErrorsOf([
        { path: 'password', message: 'Include a number' },
        { path: 'password', message: 'Include a symbol' },
        { path: 'email', message: 'Enter a valid email address' },
        { path: '', message: 'Nothing to update' },
        'garbage',
      ]),
    ).toEqual({ password: 'Include a number', email: 'Enter a valid email address' })
  })

  it('maps `details.field` (e.g. WRONG_PASSWORD) to the error message', () => {
    expect(fieldErrorsOf({ field: 'password' }, 'The password is not correct')).toEqual({ password: 'The password is not correct' })
  })

  it('ignores details that name no field', () => {
    expect(fieldErrorsOf({ retryAfterSeconds: 900 }, 'Locked')).toEqual({})
    expect(fieldErrorsOf(undefined)).toEqual({})
  })
})

describe('apiErrorFromResponse', () => {
  it('reads the API error shape', async () => {
    const err = await apiErrorFromResponse(apiError(400, 'VALIDATION_FAILED', 'Invalid json: email: Enter a valid email address', [{ path: 'email', message: 'Enter a valid email address' }]))
    expect(err).toBeInstanceOf(ApiError)
    expect(err).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', requestId: 'req_test' })
    expect(err.fieldErrors).toEqual({ email: 'Enter a valid email address' })
  })

  it('survives a body that is not the API shape', async () => {
    const err = await apiErrorFromResponse(new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }))
    expect(err).toMatchObject({ status: 502, code: 'UNKNOWN', message: 'The server answered 502 Bad Gateway' })
    expect(err.fieldErrors).toEqual({})
  })
})

describe('toApiError', () => {
  it('turns a network failure into a readable error', () => {
    const err = toApiError(new TypeError('Failed to fetch'))
    expect(err.code).toBe('NETWORK')
    expect(err.message).toMatch(/Cannot reach/)
  })
})

describe('issuesToFieldErrors', () => {
  it('gives client-side valibot issues the same shape as the API', () => {
    const result = v.safeParse(LoginBody, { email: 'nope', password: '' })
    expect(result.success).toBe(false)
    expect(issuesToFieldErrors(result.issues!)).toEqual({ email: 'Enter a valid email address', password: 'Password is required' })
  })
})

describe('api.call', () => {
  it('returns the JSON body of a success', async () => {
    const { fetch } = fakeServer({ 'GET /api/auth/sessions': () => json({ sessions: [] }) })
    const api = await apiOn(fetch)
    await expect(api.call(api.client.auth.sessions.$get())).resolves.toEqual({ sessions: [] })
  })

  it('throws an ApiError with field errors for a 400', async () => {
    const { fetch } = fakeServer({
      'POST /api/auth/register': () => apiError(400, 'VALIDATION_FAILED', 'Invalid json', [{ path: 'password', message: 'Include a symbol' }]),
    })
    const api = await apiOn(fetch)
    const err = await api.call(api.client.auth.register.$post({ json: { email: 'a@b.co', password: 'Password1' } })).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect((err as ApiError).fieldErrors).toEqual({ password: 'Include a symbol' })
  })

  it('tells listeners when the session is gone (401 UNAUTHORIZED) but not for a failed login', async () => {
    const { fetch } = fakeServer({
      'GET /api/users/me': () => apiError(401, 'UNAUTHORIZED', 'Sign in to continue'),
      'POST /api/auth/login': () => apiError(401, 'INVALID_CREDENTIALS', 'Email or password is incorrect'),
    })
    const api = await apiOn(fetch)
    const listener = vi.fn()
    api.onUnauthorized(listener)
    await expect(api.call(api.client.auth.login.$post({ json: { email: 'a@b.co', password: 'x' } }))).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' })
    expect(listener).not.toHaveBeenCalled()
    await expect(api.call(api.client.users.me.$get())).rejects.toMatchObject({ code: 'UNAUTHORIZED' })
    expect(listener).toHaveBeenCalledOnce()
  })

  it('reports network failures as ApiError', async () => {
    const api = await apiOn(vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))) as unknown as typeof fetch)
    await expect(api.call(api.client.auth.session.$get())).rejects.toMatchObject({ code: 'NETWORK', status: 0 })
  })
})
