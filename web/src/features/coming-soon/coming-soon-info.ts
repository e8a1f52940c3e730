/** What a section that has not shipped yet says about itself (its own file: the page and the routes both read it). */
export interface ComingSoonInfo {
  key: string
  title: string
  summary: string
  capabilities: string[]
}
