import type { Notify } from '../../../shared/composables/use-notify'
import type { DraftDefinition } from '../workflow-graph'
import { checkWorkflow } from '../workflow-issues'
import type { EditorDocument } from './use-editor-document'

export interface EditorFileDeps {
  doc: Pick<EditorDocument, 'definition' | 'service' | 'replace'>
  notify: Pick<Notify, 'success' | 'error'>
}

/** Export the draft as a JSON file, and import one in its place (checked like the API checks it). */
export function useEditorFile({ doc, notify }: EditorFileDeps) {
  function exportJson() {
    const blob = new Blob([JSON.stringify(doc.definition.value, null, 2)], { type: 'application/json' })
    const url = URL.createObjectURL(blob)
    const a = document.createElement('a')
    a.href = url
    a.download = `${(doc.service.value?.name ?? 'workflow').replace(/[^\w.-]+/g, '-')}.json`
    a.click()
    setTimeout(() => URL.revokeObjectURL(url), 1000)
  }

  /** Imports the file picked in `input` (then clears it, so the same file can be picked again). */
  async function importFrom(input: HTMLInputElement) {
    const file = input.files?.[0]
    input.value = ''
    if (file) importText(file.name, await file.text())
  }

  /** Replaces the draft with the workflow in `text`; false, saying why, when it is not valid JSON or not a valid workflow. */
  function importText(fileName: string, text: string): boolean {
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      notify.error(new Error(`${fileName} is not valid JSON.`))
      return false
    }
    const { issues } = checkWorkflow(parsed)
    if (issues.length) {
      notify.error(new Error(`${fileName} is not a valid workflow: ${issues.map((i) => `${i.path || 'definition'}: ${i.message}`).join('; ')}`))
      return false
    }
    doc.replace(parsed as DraftDefinition)
    notify.success(`Imported ${fileName}. Save to keep it.`)
    return true
  }

  return { exportJson, importFrom, importText }
}
