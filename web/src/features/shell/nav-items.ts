import {
  CardOutline,
  GitNetworkOutline,
  HomeOutline,
  PeopleOutline,
  SettingsOutline,
  StorefrontOutline,
  GitBranchOutline,
  CubeOutline,
} from '@vicons/ionicons5'
import type { Component } from 'vue'

export interface NavItem {
  key: string
  label: string
  to: string
  icon: Component
}

export const NAV_ITEMS: NavItem[] = [
  { key: 'dashboard', label: 'Dashboard', to: '/', icon: HomeOutline },
  { key: 'gateways', label: 'Gateways', to: '/gateways', icon: GitNetworkOutline },
  { key: 'workflows', label: 'Workflows', to: '/workflows', icon: GitBranchOutline },
  { key: 'workspace', label: 'Workspace', to: '/workspace', icon: CubeOutline },
  { key: 'marketplace', label: 'Marketplace', to: '/marketplace', icon: StorefrontOutline },
  { key: 'organization', label: 'Organization', to: '/organization', icon: PeopleOutline },
  { key: 'billing', label: 'Billing', to: '/billing', icon: CardOutline },
  { key: 'settings', label: 'Settings', to: '/settings', icon: SettingsOutline },
]
