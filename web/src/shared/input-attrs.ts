import type { InputHTMLAttributes } from 'vue'

/**
 * Attributes for the real `<input>` inside an NInput (Naive UI puts fallthrough attributes on its
 * wrapper), so labels, autofill and `data-testid` reach the element a user or a test types into.
 */
export function inputAttrs(testId: string, attrs: InputHTMLAttributes = {}): InputHTMLAttributes {
  return { id: testId, ...attrs, 'data-testid': testId } as InputHTMLAttributes
}
