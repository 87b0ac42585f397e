// Helpers beside parameter rows: device and plan pickers (asking the account through the admin routes) and
// checkboxes for lists of enumerated values (eventTypeList).
import type { ParamSpec } from '../lib/catalog/types';
import { accountRequest, post } from './admin';
import { enumLabel, t } from './i18n';
import type { Row, Session } from './session';

/** The parameter properties that get a picker, and what it lists. */
export const PICKERS: Readonly<Record<string, 'devices' | 'plans'>> = { iotId: 'devices', planId: 'plans' };

interface Listed {
  readonly iotId?: string;
  readonly planId?: string;
  readonly name?: string;
  readonly online?: boolean;
}

/** Adds a picker to a row: a button that lists the account's devices or plans, and a select to choose one. */
export function addPicker(session: Session, row: Row, what: 'devices' | 'plans'): void {
  const formRow = row.wrapper.children('.form-row').first();
  const button = $('<button type="button" class="red-ui-button lv-picker-button"><i class="fa fa-search"></i></button>')
    .attr('title', t('picker.' + what + '.button', null, what === 'devices' ? 'Choose a device of the account' : 'Choose a plan of the account'))
    .appendTo(formRow);
  const panel = $('<div class="form-row lv-picker"></div>').hide().appendTo(row.wrapper);
  $('<label>&nbsp;</label>').appendTo(panel);
  const select = $('<select class="lv-picker-select"></select>').hide().appendTo(panel);
  const refresh = $('<button type="button" class="red-ui-button lv-picker-refresh"><i class="fa fa-refresh"></i></button>')
    .attr('title', t('picker.refresh', null, 'Load again'))
    .appendTo(panel);
  const status = $('<div class="lv-picker-status"></div>').appendTo(panel);
  const state: { items: Listed[] | null; key: string; seq: number } = { items: null, key: '', seq: 0 };
  const idOf = (item: Listed): string => String((what === 'devices' ? item.iotId : item.planId) ?? '');

  function kindOf(): string {
    return what === 'plans' && session.spec?.kinds ? String($('#node-input-kind').val() || 'record') : what === 'plans' ? 'record' : '';
  }

  function setStatus(kind: '' | 'busy' | 'error', text: string): void {
    status.removeClass('lv-error lv-busy').addClass(kind ? 'lv-' + kind : '');
    status.empty();
    if (kind === 'busy') status.append('<i class="fa fa-spinner fa-spin"></i> ');
    if (kind === 'error') status.append('<i class="fa fa-exclamation-triangle"></i> ');
    status.append($('<span>').text(text));
  }

  function render(): void {
    const items = state.items || [];
    select.empty();
    if (items.length === 0) {
      select.hide();
      setStatus('', t('picker.' + what + '.none', null, what === 'devices' ? 'The account has no devices.' : 'The account has no plans of this kind.'));
      return;
    }
    $('<option value="">').text(t('picker.' + what + '.choose', { count: items.length }, 'choose one of __count__…')).appendTo(select);
    for (const item of items) {
      const id = idOf(item);
      let text = item.name && item.name !== id ? item.name + ' — ' + id : id;
      if (what === 'devices') text += item.online ? '  ● ' + t('picker.online', null, 'online') : '  ○ ' + t('picker.offline', null, 'offline');
      $('<option>').val(id).text(text).appendTo(select);
    }
    const current = row.input.typedInput('type') === 'str' ? row.input.typedInput('value') : '';
    select.val(items.some((item) => idOf(item) === current) ? current : '');
    select.show();
    setStatus('', '');
  }

  function load(force: boolean): void {
    const account = String($('#node-input-account').val() || '');
    panel.show();
    if (!account || account === '_ADD_') {
      select.hide();
      setStatus('error', t('picker.noAccount', null, 'Choose or add an account first.'));
      return;
    }
    const kind = kindOf();
    const key = account + '|' + kind;
    if (!force && state.items && state.key === key) {
      render();
      return;
    }
    const body = accountRequest(account);
    if (what === 'plans') body.kind = kind;
    const seq = ++state.seq;
    select.hide();
    button.prop('disabled', true);
    refresh.prop('disabled', true);
    setStatus('busy', t('picker.loading', null, 'Asking the account…'));
    void post('link-visual/' + what, body).then((answer) => {
      if (seq !== state.seq || !session.open) return;
      button.prop('disabled', false);
      refresh.prop('disabled', false);
      if (!answer.ok) {
        state.items = null;
        const error = answer.error || {};
        setStatus('error', (error.code ? error.code + ': ' : '') + (error.message || t('errors.unknown', null, 'unknown error')));
        return;
      }
      const listed = answer[what];
      state.items = Array.isArray(listed) ? (listed as Listed[]) : [];
      state.key = key;
      render();
    });
  }

  button.on('click', () => {
    if (panel.is(':visible') && state.items) {
      panel.hide();
      return;
    }
    load(false);
  });
  refresh.on('click', () => load(true));
  select.on('change', () => {
    const value = String(select.val() || '');
    if (!value) return;
    row.input.typedInput('type', 'str');
    row.input.typedInput('value', value);
  });

  session.pickers.push({
    reset() {
      state.items = null;
      state.key = '';
      state.seq++;
      button.prop('disabled', false);
      refresh.prop('disabled', false);
      panel.hide();
    },
    refreshKind() {
      if (what !== 'plans' || !panel.is(':visible')) return;
      const account = String($('#node-input-account').val() || '');
      if (state.key && state.key !== account + '|' + kindOf()) load(false);
    },
  });
}

/** Adds checkboxes for a JSON list of enumerated values, kept in step with the row's JSON. */
export function addEnumList(session: Session, row: Row): void {
  const items = row.base.items as ParamSpec & { enum: readonly (number | string | boolean)[] };
  const box = $('<div class="form-row lv-enum-list"><label>&nbsp;</label></div>').appendTo(row.wrapper);
  const inner = $('<span class="lv-enum-options"></span>').appendTo(box);
  const boxes = items.enum.map((value) => {
    const label = $('<label class="lv-enum-option"></label>').appendTo(inner);
    const checkbox = $('<input type="checkbox">').val(String(value)).appendTo(label);
    const text = enumLabel(items, value);
    $('<span>').text(' ' + value + (text ? ' – ' + text : '')).appendTo(label);
    return checkbox;
  });
  let writing = false;

  function sync(): void {
    if (writing) return;
    box.toggle(row.input.typedInput('type') === 'json');
    let list: unknown = [];
    try {
      list = JSON.parse(row.input.typedInput('value') || '[]');
    } catch {
      list = [];
    }
    boxes.forEach((checkbox, index) => {
      checkbox.prop('checked', Array.isArray(list) && list.includes(items.enum[index]));
    });
  }

  inner.on('change', 'input', () => {
    const list = items.enum.filter((_value, index) => boxes[index].prop('checked'));
    writing = true;
    row.input.typedInput('type', 'json');
    row.input.typedInput('value', list.length ? JSON.stringify(list) : '');
    writing = false;
  });
  row.input.on('change.lvEnum', sync);
  session.cleanups.push(() => row.input.off('.lvEnum'));
  sync();
}
