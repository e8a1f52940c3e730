/**
 * Memory for facts that never change once written (a workflow version's definition, the workspace
 * of a user), so hot paths skip the database. Bounded; the oldest entry goes first.
 */
export interface ImmutableMemo {
  get<T>(key: string, load: () => Promise<T>): Promise<T>
}
