import { findOperation, operations } from '../../lib/catalog/operations';
import type { EditorAction, EditorNodeSpec, EditorParam } from './editor-spec';
import { PLAN_KINDS, actionParams, paramProperty, type OperationNodeSpec } from './operation-node';
import { rangedSettings } from './operation-settings';

export type { EditorAction, EditorNodeSpec, EditorParam } from './editor-spec';

/** Catalog path → name of the operations a node runs by name or path (see EditorNodeSpec.paths). */
function catalogPaths(spec: OperationNodeSpec): Record<string, string> {
  const paths: Record<string, string> = {};
  if (spec.resolveOther) {
    for (const operation of operations) paths[operation.path] = operation.name;
    return paths;
  }
  for (const action of spec.actions) {
    const names = action.operation === undefined ? [] : typeof action.operation === 'string' ? [action.operation] : Object.values(action.operation);
    for (const name of names) {
      const operation = findOperation(name);
      if (operation) paths[operation.path] = operation.name;
    }
  }
  return paths;
}

/** Describes an operation node for its editor: actions, their parameters and the node properties. */
export function describeNodeSpec(spec: OperationNodeSpec): EditorNodeSpec {
  const properties = new Map<string, EditorParam>();
  const kinds = spec.kinds ? PLAN_KINDS : (['record'] as const);
  const actions = spec.actions.map((action): EditorAction => {
    const params: Record<string, EditorParam[]> = {};
    for (const kind of kinds) {
      params[kind] = actionParams(action, kind).map((param) => {
        const editorParam: EditorParam = { ...param, property: paramProperty(param.name) };
        if (!properties.has(editorParam.property)) properties.set(editorParam.property, editorParam);
        return editorParam;
      });
    }
    return { key: action.key, operation: action.operation, allPages: action.allPages === true, params };
  });
  const ranged = rangedSettings(spec.editor?.settings);
  const described: EditorNodeSpec = {
    type: spec.type,
    kinds: spec.kinds === true,
    actions,
    properties: [...properties.values()],
    paths: catalogPaths(spec),
    ...(ranged.length > 0 ? { rangedSettings: ranged } : {}),
  };
  if (!spec.resolveOther) return described;
  // A node that runs any operation checks its parameters against the whole catalog.
  return { ...described, catalog: Object.fromEntries(operations.map((operation) => [operation.name, operation.params])) };
}
