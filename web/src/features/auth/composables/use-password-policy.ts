import { NewPassword } from '@2bot/contracts'
import * as v from 'valibot'
import { computed, toValue, type MaybeRefOrGetter } from 'vue'

interface Rule {
  message: string
  schema: v.GenericSchema<string>
}

// One hint per validation step of the API's NewPassword, so the list cannot drift from the policy.
const rules: Rule[] = NewPassword.pipe
  .slice(1)
  .filter((action) => action.kind === 'validation')
  .map((action) => ({
    message: (action as { message?: unknown }).message as string,
    schema: v.pipe(v.string(), action as v.GenericValidation<string>),
  }))
  .filter((r) => typeof r.message === 'string')

export interface PasswordHint {
  message: string
  met: boolean
}

/** The password policy as a live checklist for `password`. */
export function usePasswordPolicy(password: MaybeRefOrGetter<string>) {
  const hints = computed<PasswordHint[]>(() =>
    rules
      // The upper bound only matters once it is crossed.
      .map((r) => ({ message: r.message, met: v.safeParse(r.schema, toValue(password)).success }))
      .filter((h, i) => !(h.met && /at most/i.test(rules[i]!.message))),
  )
  const allMet = computed(() => hints.value.every((h) => h.met))
  return { hints, allMet }
}
