/**
 * The workspace runtime: the workflow engine, step executors, gateway clients and the job loop
 * arrive with the workflow issue. Until then this package only marks its place in the workspace.
 */
export const RUNTIME_PACKAGE = '@2bot/runtime'
