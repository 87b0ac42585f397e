// Ambient types for what the editor bundle uses of the Node-RED editor: the RED global and the TypedInput
// jQuery plugin ($ itself comes from @types/jquery). Only what editor/ calls; Node-RED ships no editor types.

/** A node (or config node) as the editor holds it. */
interface RedEditorNode {
  readonly id: string;
  readonly type: string;
  changed?: boolean;
  credentials?: Record<string, unknown>;
  [property: string]: unknown;
}

/** A tooltip RED.popover.tooltip made. */
interface RedTooltip {
  delete?(): void;
}

interface RedEditor {
  _(key: string, options?: Record<string, unknown>): string;
  nodes?: { node?(id: string): RedEditorNode | null };
  popover?: { tooltip?(target: JQuery, content: () => JQuery | string): RedTooltip };
  settings?: { apiRootUrl?: string };
}

/** Undefined outside the Node-RED editor (tests load the bundle into a bare VM): check with `typeof`. */
declare const RED: RedEditor;

/** One TypedInput type: a built-in name, or a definition with fixed options. */
type TypedInputType = string | { value: string; label?: string; icon?: string; options?: { value: string; label: string }[] };

interface TypedInputOptions {
  types: TypedInputType[];
  typeField?: string;
  default?: string;
}

// Merges with @types/jquery's JQuery, whose type parameter it must repeat.
// eslint-disable-next-line @typescript-eslint/no-unused-vars
interface JQuery<TElement = HTMLElement> {
  typedInput(options: TypedInputOptions): this;
  typedInput(method: 'type' | 'value'): string;
  typedInput(method: 'type' | 'value', value: string): this;
  typedInput(method: 'types', types: TypedInputType[]): this;
  /** jQuery UI's spinner, which the Node-RED editor ships. */
  spinner(options: { min?: number; max?: number }): this;
}

interface Window {
  /** The editor API (editor/index.ts), or the queue generate-editor's preamble leaves before it loads. */
  LinkVisualEditor?: unknown;
}
