// The open edit dialogs: one session per node being edited, so validation reads the dialog's live fields
// and closing a dialog undoes what preparing it hooked up.
import type { EditorParam } from '../nodes/shared/editor-spec';
import type { EditorSpec, Selection } from './specs';

/** A node as Node-RED hands it to `validate` and the dialog hooks (a plain object of its properties). */
export type EditorNode = Partial<RedEditorNode> & Record<string, unknown>;

/** One parameter row of an operation node's dialog. */
export interface Row {
  readonly property: string;
  /** The parameter as the node's `defaults` know it (its first appearance among the actions). */
  readonly base: EditorParam;
  /** The parameter as the chosen operation has it. */
  param: EditorParam;
  readonly wrapper: JQuery;
  readonly input: JQuery;
  readonly label: JQuery;
  /** What the TypedInput types were built from (see typesSignature). */
  signature: string;
  help: string;
  visible: boolean;
  tooltip: RedTooltip | null;
}

/** A device or plan picker of a row. */
export interface Picker {
  reset(): void;
  refreshKind(): void;
}

export interface Session {
  readonly id: string;
  readonly node: EditorNode;
  readonly type: string;
  readonly spec?: EditorSpec;
  open: boolean;
  readonly rows: Record<string, Row>;
  readonly pickers: Picker[];
  readonly cleanups: (() => void)[];
  form?: JQuery;
  schedule?: { refresh(): void };
  onUpdate?: (selection: Selection) => void;
}

const sessions: Record<string, Session> = Object.create(null) as Record<string, Session>;

/** Starts the session of a dialog being opened for `node`. */
export function openSession(node: EditorNode, spec?: EditorSpec): Session {
  const id = String(node.id);
  const session: Session = { id, node, type: String(node.type), spec, open: true, rows: {}, pickers: [], cleanups: [] };
  sessions[id] = session;
  return session;
}

function isEditing(node: EditorNode | undefined): boolean {
  const session = node && sessions[String(node.id)];
  return !!(session && session.open && typeof $ === 'function');
}

/** Reads a node property: the open dialog's field when this node is being edited, else the node's own. */
export function reader(node: EditorNode | undefined, prefix: string): (property: string) => unknown {
  const editing = isEditing(node);
  return (property) => {
    if (editing) {
      const element = $(`#${prefix}${property}`);
      if (element.length) return element.attr('type') === 'checkbox' ? element.prop('checked') : element.val();
    }
    return node ? node[property] : undefined;
  };
}

/** Ends a node's dialog session: runs its clean-ups (save, cancel and close all end here). */
export function close(node: EditorNode | undefined): void {
  const session = node && sessions[String(node.id)];
  if (!session) return;
  session.open = false;
  for (const cleanup of session.cleanups) {
    try {
      cleanup();
    } catch {
      // the dialog is going away anyway
    }
  }
  delete sessions[session.id];
}
