// The editor of an operation node as data: scripts/generate-editor.js renders
// nodes/shared/operation-node.template.html with it (and with describeNodeSpec for the API parameters)
// into dist/nodes/<dir>/<type>.html. The runtime reads only the ranges of its settings (operation-settings.ts).
//
// i18n keys without a namespace are the node's own (`<type>.label.…` in nodes/<dir>/locales); the
// shared rows (account, operation, kind, pages, ignoreMsg, name) use link-visual-config's strings.
import type { NumberRange } from './setting-spec';

/** The input of a node setting's form row. */
export type EditorInput =
  /** A short text field and its unit: `<type>.label.<property>`, `<type>.placeholder.<property>`, `<type>.unit.<unit>`. */
  | { readonly kind: 'number'; readonly unit: string }
  /** A checkbox: `<type>.label.<heading>` in the label column, `<type>.label.<property>` beside the box. */
  | { readonly kind: 'checkbox'; readonly heading: string }
  /**
   * A TypedInput (set up by the editor bundle, editor/) that starts as `type`, kept in `<property>Type`:
   * `<type>.label.<property>`; an optional button beside it (its title `<type>.label.<title>`).
   */
  | {
      readonly kind: 'typed';
      readonly type: 'str' | 'json';
      readonly button?: { readonly id: string; readonly icon: string; readonly title: string };
    };

/** A node setting that is not an API parameter: its `defaults` entry and its form row. */
export interface EditorSetting {
  readonly property: string;
  /** The default value. */
  readonly value: string | number | boolean;
  /** Checked in the editor by a hand-written rule of editor/settings-rules.ts (the api node's free-form fields). */
  readonly validate?: boolean;
  /**
   * The limits of a number setting, for the actions its row is shown for: a blank value takes `value`, any other
   * outside them is refused, by the editor (`LinkVisualEditor.validate`) and by the runtime (CONFIG), both through
   * operation-settings.ts.
   */
  readonly range?: NumberRange;
  /** Font Awesome 4.7 icon of the row's label. */
  readonly icon: string;
  readonly input: EditorInput;
  /** Show the row only for these actions (settings in a row with the same list share one block). */
  readonly actions?: readonly string[];
  /** Show the row only while this checkbox setting is ticked. */
  readonly shownWith?: string;
}

/**
 * What an operation node's editor needs beyond its actions and their parameters. Every operation node
 * form has, in this order: account, operation, kind (nodes with plan kinds), one row per API parameter,
 * pages (nodes with a list action), `settings`, ignore msg overrides, name, and `tip`.
 */
export interface OperationNodeEditor {
  /** The operation a new node starts with: an action key, or '' (free-text operation). */
  readonly defaultOperation: string;
  /**
   * The operation field: a select of the actions (`select`), the same but hidden when there is
   * nothing to choose (`hidden`), or free text with the catalog helper below it (`text`: the api node).
   */
  readonly operationField: 'select' | 'hidden' | 'text';
  /**
   * The label of a node without a name: the palette label (`palette`), followed by the operation
   * (`operation`; and the plan kind on nodes with kinds), or by the last 40 characters of the
   * operation (`operationTail`, for API paths).
   */
  readonly label: 'palette' | 'operation' | 'operationTail';
  /** The palette icon (in icons/); `<type>.svg` when not given. */
  readonly icon?: string;
  /** Node settings that are not API parameters, in form order. */
  readonly settings?: readonly EditorSetting[];
  /** Show `<type>.tip` (html) below the form. */
  readonly tip?: boolean;
}
