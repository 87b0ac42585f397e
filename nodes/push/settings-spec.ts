// The settings of a link-visual-push node as data (nodes/shared/setting-spec.ts): settings.ts reads them, the
// editor bundle checks them, scripts/generate-settings.js writes the dialog and generate-help.js the help's table.
// Browser-safe.
import type { PushMessageKind } from '../../lib/push/messages';
import { devicesRule } from '../shared/devices-setting';
import type { NodeSettingsSpec, SettingSpec } from '../shared/setting-spec';

/** The kinds of data-sync message. */
export const PUSH_KINDS: readonly PushMessageKind[] = ['event', 'property', 'status', 'other'];

/**
 * The node's checkbox property of each kind (flows hold these names). Online/offline is `onlineStatus`: Node-RED's
 * editor keeps every node's status object in `status`, which overwrote the checkbox once called so.
 */
export const KIND_PROPERTY: Readonly<Record<PushMessageKind, string>> = { event: 'event', property: 'property', status: 'onlineStatus', other: 'other' };

/** The longest TSL identifier the filter takes. */
const MAX_IDENTIFIER_LENGTH = 128;

// One checkbox per kind, all ticked by default: a node made before a kind existed takes it too.
const kindSettings = PUSH_KINDS.map(
  (kind): SettingSpec => ({
    property: KIND_PROPERTY[kind],
    type: 'boolean',
    default: true,
    icon: 'fa-filter',
    input: { kind: 'checkbox', group: 'kinds' },
    ...(KIND_PROPERTY[kind] === kind ? {} : { formerly: kind }),
  }),
);

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
