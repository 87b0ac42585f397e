import type { ParamSpec } from '../../lib';
import { PLAN_KINDS, actionParams, paramProperty, type OperationNodeSpec } from './operation-node';

/** A parameter as the editor shows it: the catalog spec plus the node property that stores it. */
export interface EditorParam extends ParamSpec {
  readonly property: string;
}

/** One action as the editor shows it, with its parameters per plan kind. */
export interface EditorAction {
  readonly key: string;
  readonly operation?: string | Readonly<Record<string, string>>;
  readonly allPages: boolean;
  readonly params: Readonly<Record<string, readonly EditorParam[]>>;
}

/** What the editor of an operation node needs, derived from the runtime spec and the catalog. */
export interface EditorNodeSpec {
  readonly type: string;
  readonly kinds: boolean;
  readonly actions: readonly EditorAction[];
  /** Every parameter property any action uses, each once (the node's `defaults`). */
  readonly properties: readonly EditorParam[];
}

/** Describes an operation node for its editor: actions, their parameters and the node properties. */
export function describeNodeSpec(spec: OperationNodeSpec): EditorNodeSpec {
  const properties = new Map<string, EditorParam>();
  const kinds = spec.kinds ? PLAN_KINDS : (['record'] as const);
  const actions = spec.actions.map((action) => {
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
  return { type: spec.type, kinds: spec.kinds === true, actions, properties: [...properties.values()] };
}
