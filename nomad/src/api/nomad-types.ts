import type { components } from './nomad-openapi.gen'

/** Names for the schemas of `tests/reference/nomad-openapi.yaml` the driver and CLI use. */
type S = components['schemas']
export type NomadJob = S['Job']
export type NomadTaskGroup = S['TaskGroup']
export type NomadTask = S['Task']
export type NomadJobListStub = S['JobListStub']
export type NomadAllocationListStub = S['AllocationListStub']
export type NomadDeployment = S['Deployment']
export type NomadNodeListStub = S['NodeListStub']
export type NomadJobScaleStatus = S['JobScaleStatusResponse']
export type NomadVariable = S['Variable']
