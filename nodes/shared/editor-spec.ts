// The editor's view of an operation node: built by describeNodeSpec (node-spec.ts) at build time, embedded in the
// node's editor HTML by scripts/generate-editor.js, and read by the editor bundle (editor/). Types only.
import type { ParamSpec } from '../../lib/catalog/types';
import type { RangedSetting } from './operation-settings';

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
  /**
   * Catalog path → operation name of every operation the node runs by name or path: its actions' operations,
   * or the whole catalog for a node that runs any operation (the api node).
   */
  readonly paths: Readonly<Record<string, string>>;
  /** The catalog's parameters by operation name, for a node that runs any operation (the api node). */
  readonly catalog?: Readonly<Record<string, readonly ParamSpec[]>>;
  /** The node's own settings with a range (EditorSetting.range), which the editor checks as the runtime reads them. */
  readonly rangedSettings?: readonly RangedSetting[];
}

/** Editor-only knowledge scripts/generate-editor.js adds (HINTS there). */
export interface EditorHints {
  /** Per action key: groups of parameter properties of which one must be given (bind › apply: planId or planName). */
  readonly oneOf?: Readonly<Record<string, readonly (readonly string[])[]>>;
}
