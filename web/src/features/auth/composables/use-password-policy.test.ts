import { describe, expect, it } from 'vitest'
import { ref } from 'vue'
import { usePasswordPolicy } from './use-password-policy'

describe('usePasswordPolicy', () => {
  it('lists the API policy rules and ticks them off live', () => {
    const password = ref('')
    const { hints, allMet } = usePasswordPolicy(password)
    expect(hints.value.map((h) => h.message)).toEqual([
      'Use at least 8 characters',
      'Include an uppercase letter',
      'Include a number',
      'Include a symbol',
    ])
    expect(hints.value.every((h) => !h.met)).toBe(true)

    password.value = 'Password1'
    expect(hints.value.filter((h) => !h.met).map((h) => h.message)).toEqual(['Include a symbol'])
    expect(allMet.value).toBe(false)

    password.value = 'Password1!'
    expect(allMet.value).toBe(true)
  })

  it('mentions the upper bound only once it is crossed', () => {
    const { hints } = usePasswordPolicy(() => `A1!${'x'.repeat(300)}`)
    expect(hints.value.find((h) => !h.met)?.message).toBe('Use at most 200 characters')
  })
})
