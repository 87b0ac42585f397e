// The settings of a link-visual-on-event node as data (nodes/shared/setting-spec.ts): settings.ts reads them, the
// editor bundle checks them, scripts/generate-settings.js writes the dialog and generate-help.js the help's table.
// Browser-safe.
import { devicesRule } from '../shared/devices-setting';
import type { NodeSettingsSpec } from '../shared/setting-spec';

/** The on-event node's settings, in form order. */
export const onEventSettingsSpec: NodeSettingsSpec = {
  type: 'link-visual-on-event',
  settings: [
    { property: 'devices', type: 'text', default: '', rules: [devicesRule], icon: 'fa-video-camera', input: { kind: 'textarea', rows: 3, placeholder: true } },
    { property: 'eventType', type: 'number', default: 0, integer: true, options: [0, 1, 2, 3], icon: 'fa-bolt', input: { kind: 'select' } },
    { property: 'interval', type: 'number', default: 30, min: 1, max: 86_400, icon: 'fa-clock-o', input: { kind: 'number', unit: 'seconds', spinner: true } },
    // With the account's push on, polls only sweep every `sweep` seconds.
    { property: 'sweep', type: 'number', default: 600, min: 10, max: 86_400, icon: 'fa-bolt', input: { kind: 'number', unit: 'sweep', spinner: true } },
    { property: 'startup', type: 'text', default: 'new', options: ['new', 'backfill'], icon: 'fa-play', input: { kind: 'select' } },
    {
      property: 'backfillMinutes',
      type: 'number',
      default: 60,
      min: 0,
      max: 30 * 24 * 60,
      when: { setting: 'startup', is: ['backfill'] },
      icon: 'fa-history',
      input: { kind: 'number', unit: 'minutes' },
    },
    { property: 'image', type: 'boolean', default: false, icon: 'fa-picture-o', input: { kind: 'checkbox', tip: 'image' } },
    { property: 'clip', type: 'boolean', default: false, icon: 'fa-film', input: { kind: 'checkbox', tip: 'clip' } },
    { property: 'cooldown', type: 'number', default: 0, min: 0, max: 86_400, icon: 'fa-hourglass-half', input: { kind: 'number', unit: 'secondsPerDevice', spinner: true } },
  ],
};
