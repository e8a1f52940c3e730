/**
 * Nomad job specs and the Nomad workspace driver arrive with the workspace issue.
 */
export const NOMAD_PACKAGE = '@2bot/nomad'
