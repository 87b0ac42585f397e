// The account (config node) dialog: region and sign-in mode choices from the runtime's lists (lib/client/regions.ts,
// nodes/config/account-rules.ts), the rows each choice needs, and the Test connection button.
import { isRegionId, regions } from '../lib/client/regions';
import {
  ACCOUNT_PROPERTY_NAMES,
  AUTH_MODES,
  CUSTOM_REGION,
  DEFAULT_AUTH_MODE,
  DEFAULT_REGION,
} from '../nodes/config/account-rules';
import { CREDENTIAL_NAMES } from '../nodes/config/settings-spec';
import { post } from './admin';
import { prepareSettings } from './node-settings';
import { configText, t } from './i18n';
import { openSession, type EditorNode } from './session';
import { injectStyles } from './styles';

/** The dialog's settings as the test route takes them (the form, not the saved node). */
function configFormSettings(): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const name of ACCOUNT_PROPERTY_NAMES) settings[name] = $('#node-config-input-' + name).val();
  const credentials: Record<string, unknown> = {};
  for (const name of CREDENTIAL_NAMES) {
    const element = $('#node-config-input-' + name);
    if (element.length) credentials[name] = element.val();
  }
  settings.credentials = credentials;
  return settings;
}

/** Fills a select with `values` (labels from the account catalog), keeping the node's value selected. */
function fillSelect(select: JQuery, values: readonly string[], labelKey: string, value: unknown, fallback: string): void {
  const chosen = String(select.val() || value || fallback);
  select.empty();
  for (const option of values) $('<option>').val(option).text(configText(labelKey + '.' + option, null, option)).appendTo(select);
  // A value the lists do not have stays visible, so validation can name it.
  if (!values.includes(chosen)) $('<option>').val(chosen).text(chosen).appendTo(select);
  select.val(chosen);
}

/** Sets up the account dialog. */
export function prepareConfig(node: EditorNode): void {
  const session = openSession(node);
  injectStyles();
  const region = $('#node-config-input-region');
  const authMode = $('#node-config-input-authMode');
  fillSelect(region, [...Object.keys(regions), CUSTOM_REGION], 'region', node.region, DEFAULT_REGION);
  fillSelect(authMode, AUTH_MODES, 'authMode', node.authMode, DEFAULT_AUTH_MODE);

  // The rows of the endpoint, the credentials of each sign-in mode and the Push section follow their spec (node-settings.ts).
  prepareSettings(session);
  function showHost(): void {
    const chosen = String(region.val() || '');
    $('.lv-region-host-row').toggle(chosen !== CUSTOM_REGION);
    $('.lv-region-host').text(isRegionId(chosen) ? regions[chosen] : '');
  }
  region.on('change.lvEditor', showHost);
  showHost();

  const button = $('#node-config-lv-test');
  const result = $('.lv-test-result');
  let seq = 0;
  button.on('click.lvEditor', () => {
    const mine = ++seq;
    button.prop('disabled', true);
    result
      .removeClass('lv-ok lv-error')
      .empty()
      .append('<i class="fa fa-spinner fa-spin"></i> ', $('<span>').text(configText('test.testing', null, 'Testing…')))
      .show();
    void post('link-visual/test', { id: node.id, settings: configFormSettings() }).then((answer) => {
      if (mine !== seq || !session.open) return;
      button.prop('disabled', false);
      result.empty();
      if (answer.ok) {
        let text =
          typeof answer.devices === 'number'
            ? configText('test.ok', { endpoint: String(answer.endpoint), devices: answer.devices }, 'Connected to __endpoint__: __devices__ device(s).')
            : configText('test.okNoCount', { endpoint: String(answer.endpoint) }, 'Connected to __endpoint__.');
        if (typeof answer.durationMs === 'number') text += ' (' + answer.durationMs + ' ms)';
        result.addClass('lv-ok').append('<i class="fa fa-check"></i> ', $('<span>').text(text));
      } else {
        const error = answer.error || {};
        result
          .addClass('lv-error')
          .append('<i class="fa fa-exclamation-triangle"></i> ', $('<span>').text((error.code ? error.code + ': ' : '') + (error.message || t('errors.unknown', null, 'unknown error'))));
      }
    });
  });
  session.cleanups.push(() => {
    region.off('.lvEditor');
    button.off('.lvEditor');
  });
}
