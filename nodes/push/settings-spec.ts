// The settings of a link-visual-push node as data (nodes/shared/setting-spec.ts): settings.ts reads them, the
// editor bundle checks them, scripts/generate-settings.js writes the dialog and generate-help.js the help's table.
// Browser-safe.
import type { PushMessageKind } from '../../lib/push/messages';
import { devicesRule } from '../shared/devices-setting';
import type { NodeSettingsSpec, SettingSpec } from '../shared/setting-spec';

/** The kinds of data-sync message, each a checkbox property of the node (flows hold these names). */
export const PUSH_KINDS: readonly PushMessageKind[] = ['event', 'property', 'status', 'other'];

/** The longest TSL identifier the filter takes. */
const MAX_IDENTIFIER_LENGTH = 128;

// One checkbox per kind, all ticked by default: a node made before a kind existed takes it too.
const kindSettings = PUSH_KINDS.map((kind): SettingSpec => ({ property: kind, type: 'boolean', default: true, icon: 'fa-filter', input: { kind: 'checkbox', group: 'kinds' } }));

/** The push node's settings, in form order. */
export const pushSettingsSpec: NodeSettingsSpec = {
  type: 'link-visual-push',
  settings: [
    { property: 'devices', type: 'text', default: '', rules: [devicesRule], icon: 'fa-video-camera', input: { kind: 'textarea', rows: 3, placeholder: true } },
    ...kindSettings,
    { property: 'identifier', type: 'text', default: '', maxLength: MAX_IDENTIFIER_LENGTH, icon: 'fa-tag', input: { kind: 'text', placeholder: true } },
  ],
  // A node that lets no kind through would never send anything.
  groups: [{ key: 'kinds', minTicked: 1 }],
};
