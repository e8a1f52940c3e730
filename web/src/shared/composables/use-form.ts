import * as v from 'valibot'
import { reactive, readonly, ref, watch, type UnwrapRef } from 'vue'
import { issuesToFieldErrors, toApiError, type ApiError, type FieldErrors } from '../../api/api-error'

export interface UseFormOptions<S extends v.GenericSchema> {
  /** The contract schema from `@2bot/contracts` the API validates the body with. */
  schema: S
  initial: v.InferInput<S>
  submit: (values: v.InferOutput<S>) => Promise<void>
  /** Shown for every API failure (a toast); field errors also appear under their inputs. */
  onError?: (err: ApiError) => void
}

/**
 * A form checked with the API's own schema before it is sent, and whose API errors
 * (`details[].path`) land on the same fields.
 * @example const form = useForm({ schema: LoginBody, initial: { email: '', password: '' }, submit: auth.login })
 */
export function useForm<S extends v.GenericSchema>(opts: UseFormOptions<S>) {
  const values = reactive(structuredClone(opts.initial) as object) as UnwrapRef<v.InferInput<S>>
  const errors = ref<FieldErrors>({})
  const submitting = ref(false)
  const attempted = ref(false)

  function check(): v.InferOutput<S> | undefined {
    const result = v.safeParse(opts.schema, values)
    errors.value = result.success ? {} : issuesToFieldErrors(result.issues)
    return result.success ? result.output : undefined
  }

  // Before the first submit, only the API's errors are shown; afterwards errors follow the typing.
  watch(values as object, () => {
    if (attempted.value) check()
  }, { deep: true })

  async function onSubmit(e?: Event) {
    e?.preventDefault()
    if (submitting.value) return
    attempted.value = true
    const output = check()
    if (output === undefined) return
    submitting.value = true
    try {
      await opts.submit(output)
    } catch (caught) {
      const err = toApiError(caught)
      errors.value = err.fieldErrors
      opts.onError?.(err)
    } finally {
      submitting.value = false
    }
  }

  /** The message for one field, for `<FormField :error>`. */
  function error(name: string): string | undefined {
    return errors.value[name]
  }

  /** The `status` prop of the Naive input of one field (red border when wrong). */
  function status(name: string): 'error' | undefined {
    return errors.value[name] ? 'error' : undefined
  }

  function reset() {
    Object.assign(values as object, structuredClone(opts.initial) as object)
    errors.value = {}
    attempted.value = false
  }

  return { values, errors: readonly(errors), submitting: readonly(submitting), onSubmit, error, status, reset }
}
