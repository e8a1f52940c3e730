import { flushPromises, mount } from '@vue/test-utils'
import { NMessageProvider } from 'naive-ui'
import { describe, expect, it } from 'vitest'
import { defineComponent, h, ref } from 'vue'
import { createMemoryHistory, createRouter } from 'vue-router'
import { API_KEY } from '../../../api/api'
import { apiOn, fakeServer, json } from '../../../test/fake-server'
import { testApp } from '../../../test/test-app'
import NewWorkflowModal from './NewWorkflowModal.vue'

async function renderModal() {
  const server = fakeServer({
    'GET /api/gateways': () => json({ gateways: [] }),
    'GET /api/gateways/types': () => json({ types: [] }),
    'POST /api/user/services': (req) => json({ service: { id: 'svc_1', name: (req.body as { name: string }).name } }, 201),
  })
  const api = await apiOn(server.fetch, '2bot_csrf=tok')
  const { pinia } = testApp(api)
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:any(.*)*', component: { render: () => null } }] })
  const show = ref(true)
  const Root = defineComponent({ render: () => h(NMessageProvider, () => h(NewWorkflowModal, { show: show.value, 'onUpdate:show': (v: boolean) => (show.value = v) })) })
  const wrapper = mount(Root, { global: { plugins: [pinia, router], provide: { [API_KEY as symbol]: api } }, attachTo: document.body })
  await flushPromises()
  const $ = <T extends Element = HTMLElement>(testid: string) => document.querySelector<T>(`[data-testid="${testid}"]`)
  return { wrapper, server, $ }
}

describe('NewWorkflowModal', () => {
  it('shows Content Maker as coming soon: disabled, tagged, and never creatable', async () => {
    const { wrapper, server, $ } = await renderModal()
    const contentMaker = $<HTMLButtonElement>('workflow-template-content-maker')!
    expect(contentMaker.disabled).toBe(true)
    expect(contentMaker.querySelector('[data-testid="workflow-template-coming-soon"]')?.textContent).toBe('Coming soon')
    expect($('workflow-template-blank')!.querySelector('[data-testid="workflow-template-coming-soon"]')).toBeNull()

    contentMaker.click()
    await flushPromises()
    expect(contentMaker.getAttribute('aria-pressed')).toBe('false')

    // The blank template still creates a workflow.
    const name = $<HTMLInputElement>('workflow-name')!
    name.value = 'Mine'
    name.dispatchEvent(new Event('input'))
    $<HTMLButtonElement>('workflow-template-blank')!.click()
    await flushPromises()
    expect($<HTMLButtonElement>('workflow-create')!.disabled).toBe(false)
    $<HTMLButtonElement>('workflow-create')!.click()
    await flushPromises()
    const posts = server.requests.filter((r) => r.method === 'POST' && r.path === '/api/user/services')
    expect(posts.map((r) => (r.body as { name: string }).name)).toEqual(['Mine'])
    wrapper.unmount()
  })
})
