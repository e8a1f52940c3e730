import type { RouteRecordRaw } from 'vue-router'
import type { ComingSoonInfo } from './coming-soon-info'

/** The sections that exist in the navigation before their feature ships; each says what is coming. */
export const COMING_SOON: ComingSoonInfo[] = [
  {
    key: 'workflows',
    title: 'Workflows',
    summary: 'Build automations on a visual canvas: a trigger, then steps that send, wait, branch or call AI.',
    capabilities: [
      'Start a workflow from a message, a schedule or a webhook',
      'Chain steps with the output of earlier ones ({{ steps.fetch.output.text }})',
      'Watch every run step by step and retry failures',
    ],
  },
  {
    key: 'organization',
    title: 'Organization',
    summary: 'Work as a team: invite colleagues, group them into departments and choose who can do what.',
    capabilities: ['Invite members by email', 'Organize members into departments', 'Give roles: owner, admin or member'],
  },
]

export const comingSoonRoutes: RouteRecordRaw[] = COMING_SOON.map((info) => ({
  path: info.key,
  name: info.key,
  component: () => import('./components/ComingSoonPage.vue'),
  props: { info },
  meta: { title: info.title },
}))
