import { describe, expect, it } from 'vitest'
import { PLANS } from './billing-fixtures'
import { planFacts, planLabel } from './plan-facts'

describe('planFacts', () => {
  it('lists a plan’s limits in the units people read', () => {
    expect(planFacts(PLANS[0]!)).toEqual(['512 MB memory', '0.5 CPU cores', '100 MB storage', 'Sleeps after 15 idle minutes', '3 plugins'])
    expect(planFacts(PLANS[1]!)).toEqual(['1 GB memory', '1 CPU core', '1 GB storage', 'Keep-alive, or sleeps after 30 idle minutes', '5 plugins'])
    expect(planFacts(PLANS[4]!)).toContain('Unlimited plugins')
    expect(planFacts(PLANS[4]!)[2]).toBe('100 GB storage')
  })

  it('labels plans as words', () => {
    expect(planLabel('ENTERPRISE')).toBe('Enterprise')
  })
})
