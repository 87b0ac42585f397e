// Which action an operation node runs: shared by the runtime (operation-node.ts) and the editor bundle
// (editor/), so both resolve a configured operation the same way. Browser-safe: no Node-RED, no Node built-in.

/** The two plan families: continuous recording plans and event-triggered plans. */
export type PlanKind = 'record' | 'event';
export const PLAN_KINDS: readonly PlanKind[] = ['record', 'event'];

/** True for a plan kind the nodes know. */
export function isPlanKind(value: unknown): value is PlanKind {
  return PLAN_KINDS.includes(value as PlanKind);
}

/** What resolution needs of an action: its key and the catalog operation it calls (one per plan kind, or one). */
export interface ActionTarget {
  readonly key: string;
  readonly operation?: string | Readonly<Record<PlanKind, string>>;
}

/** The operation a node runs when asked for `configured`: that text, or its first action's key when it is unset. */
export function operationToRun(configured: unknown, actions: readonly ActionTarget[]): string {
  return typeof configured === 'string' && configured !== '' ? configured : (actions[0]?.key ?? '');
}

/**
 * Finds the action for a requested operation: an action key, or a catalog name or path of an action's operation
 * (which also picks the plan kind). `catalogName` gives the catalog name a requested name or path stands for.
 */
export function findAction<A extends ActionTarget>(
  actions: readonly A[],
  requested: string,
  kind: PlanKind,
  catalogName: (requested: string) => string | undefined,
): { action: A; kind: PlanKind } | undefined {
  const byKey = actions.find((action) => action.key === requested);
  if (byKey) return { action: byKey, kind };
  const name = catalogName(requested);
  if (name === undefined) return undefined;
  for (const action of actions) {
    if (!action.operation) continue;
    if (typeof action.operation === 'string') {
      if (action.operation === name) return { action, kind };
      continue;
    }
    for (const candidate of PLAN_KINDS) {
      if (action.operation[candidate] === name) return { action, kind: candidate };
    }
  }
  return undefined;
}
