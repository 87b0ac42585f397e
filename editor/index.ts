// The editor bundle's entry: builds window.LinkVisualEditor, the one global every node's editor HTML uses.
// scripts/build.js bundles editor/ with esbuild into resources/link-visual-editor.js, which Node-RED serves at
// resources/node-red-contrib-link-visual/link-visual-editor.js and each node set loads before its inline scripts.
// The operation nodes' HTML registers their specs with registerSpec; the dialogs call prepare/save/cancel; every
// property's `validate` calls validate(type, property).
import { parseDeviceList } from '../lib/events/account-devices';
import { DEFAULT_AUTH_MODE, DEFAULT_REGION } from '../nodes/config/account-rules';
import { accountRequest } from './admin';
import { prepareConfig } from './config-dialog';
import { prepare } from './operation-dialog';
import { pollProjection } from './poll-projection';
import { sectionsToSlots, slotsToSections } from './schedule-grid';
import { prepareSettings } from './node-settings';
import { close, openSession, type EditorNode } from './session';
import { getSpec, registerSpec, resolveAction } from './specs';
import { typesFor } from './typed-input';
import { checkTyped, checkValue } from './validation';
import { validate } from './validators';

/** The queue generate-editor.js's preamble leaves when a node's HTML runs before this bundle. */
interface Pending {
  readonly pending?: unknown;
  readonly loaded?: boolean;
}

function end(node: EditorNode | undefined): void {
  close(node);
}

/** The account's label in the flow: its name, else where it connects and how it signs in (defaults from the runtime). */
function accountLabel(node: { name?: string; region?: string; endpoint?: string; authMode?: string }, customText: string): string {
  if (node.name) return node.name;
  let where = node.region || DEFAULT_REGION;
  if (where === 'custom') where = /^https?:\/\/([^/:\s]+)/.exec(node.endpoint || '')?.[1] ?? customText;
  return `${where} (${node.authMode || DEFAULT_AUTH_MODE})`;
}

function build(): Record<string, unknown> {
  return {
    loaded: true,
    version: 1,
    registerSpec,
    getSpec,
    prepare,
    save: end,
    cancel: end,
    close: end,
    // The grid and rows size themselves with CSS.
    resize: (_node: EditorNode, _size: unknown) => undefined,
    validate,
    prepareConfig,
    // The download, on-event and push dialogs: rows per choice, checkbox defaults and spinners from their settings specs.
    prepareSettings: (node: EditorNode) => prepareSettings(openSession(node)),
    saveConfig: end,
    accountLabel,
    cancelConfig: end,
    pollProjection,
    // Pure helpers, exported for tests and reuse.
    schedule: { sectionsToSlots, slotsToSections },
    checkTyped,
    checkValue,
    typesFor,
    resolveAction,
    accountRequest,
    // The runtime's reading of a devices setting (iotIds by lines, commas, spaces), for the on-event dialog's picker.
    deviceList: parseDeviceList,
  };
}

const previous = window.LinkVisualEditor as Pending | undefined;
// Each node set loads this bundle; the first copy wins, so specs registered with it stay.
if (!(previous && previous.loaded)) {
  window.LinkVisualEditor = build();
  if (previous && Array.isArray(previous.pending)) {
    for (const entry of previous.pending as unknown[]) {
      if (Array.isArray(entry)) registerSpec(entry[0], entry[1]);
    }
  }
}
