// The operation nodes' editor specs (embedded in each node's HTML by scripts/generate-editor.js) and which action
// and plan kind a node or its open dialog selects, resolved as the runtime resolves them (nodes/shared/actions.ts).
import { findAction, isPlanKind, operationToRun, type PlanKind } from '../nodes/shared/actions';
import type { EditorAction, EditorHints, EditorNodeSpec, EditorParam } from '../nodes/shared/editor-spec';
import { reader, type EditorNode } from './session';

/** A registered spec: describeNodeSpec's view plus the generator's hints (`paths` may lack in a hand-made one). */
export type EditorSpec = Omit<EditorNodeSpec, 'paths'> & { readonly paths?: EditorNodeSpec['paths']; readonly hints?: EditorHints };

/** What a node (or its open dialog) selects. */
export interface Selection {
  readonly read: (property: string) => unknown;
  /** The operation the runtime would run (the first action's when none is set). */
  readonly requested: string;
  readonly action: EditorAction | undefined;
  readonly kind: string;
}

const specs: Record<string, EditorSpec> = Object.create(null) as Record<string, EditorSpec>;

/** Registers the editor spec of a node type (called by each node's HTML). */
export function registerSpec(type: unknown, spec: unknown): void {
  if (typeof type === 'string' && spec && typeof spec === 'object') specs[type] = spec as EditorSpec;
}

/** The editor spec of a node type, if registered. */
export function getSpec(type: string): EditorSpec | undefined {
  return specs[type];
}

/** Every registered spec. */
export function allSpecs(): EditorSpec[] {
  return Object.keys(specs).map((type) => specs[type]);
}

/** The first item of `list` whose `field` is `value`. */
export function findBy<T, K extends keyof T>(list: readonly T[] | undefined, field: K, value: T[K]): T | undefined {
  return (list ?? []).find((item) => item[field] === value);
}

/** The parameters an action takes for a plan kind. */
export function paramsOf(action: EditorAction | undefined, kind: string): readonly EditorParam[] {
  if (!action) return [];
  return action.params[kind] || action.params.record || [];
}

/** The catalog name a requested name or path stands for, among the operations the node runs (as findOperation). */
export function catalogName(spec: EditorSpec, requested: string): string | undefined {
  const key = requested.trim();
  if (key === '') return undefined;
  const paths = spec.paths ?? {};
  for (const path of Object.keys(paths)) if (paths[path] === key) return key;
  return paths[key.startsWith('/') ? key : `/${key}`];
}

/** The action for a configured operation: an action key, or a catalog name or path (with its plan kind). */
export function resolveAction(spec: EditorSpec | undefined, requested: unknown, kind: PlanKind = 'record'): { action: EditorAction; kind: PlanKind } | undefined {
  if (!spec || typeof requested !== 'string' || requested === '') return undefined;
  return findAction(spec.actions, requested, kind, (name) => catalogName(spec, name));
}

/** The plan kind a setting asks for, as the runtime reads it: not a string means record. */
export function kindSetting(value: unknown): string {
  return typeof value === 'string' ? value : 'record';
}

/** The action and plan kind a node (or its open dialog) selects. */
export function selection(node: EditorNode | undefined, spec: EditorSpec): Selection {
  const read = reader(node, 'node-input-');
  const requested = operationToRun(read('operation'), spec.actions);
  const asked = spec.kinds ? kindSetting(read('kind')) : 'record';
  // An unknown kind is reported on the kind field; the rows show the record kind's meanwhile.
  const found = resolveAction(spec, requested, isPlanKind(asked) ? asked : 'record');
  return { read, requested, action: found?.action, kind: found?.kind ?? (isPlanKind(asked) ? asked : 'record') };
}
