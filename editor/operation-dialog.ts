// An operation node's dialog: the operation select, one TypedInput row per parameter shown for the chosen
// operation (in its catalog order, with limits as placeholder and help as tooltip), pickers, enum checkboxes
// and the weekly schedule.
import { defaultTypedType } from '../nodes/shared/typed-input';
import { prepareApi } from './api-node';
import { helpText, limitsText } from './hints';
import { hasRED, t } from './i18n';
import { PICKERS, addEnumList, addPicker } from './pickers';
import { buildSchedule } from './schedule-grid';
import { openSession, type EditorNode, type Row, type Session } from './session';
import { findBy, getSpec, paramsOf, resolveAction, selection, type EditorSpec } from './specs';
import { injectStyles } from './styles';
import { typesFor, typesSignature } from './typed-input';

function textInputOf(row: Row): JQuery {
  return row.input.next('.red-ui-typedInput-container').find('input.red-ui-typedInput-input');
}

function prepareOperationSelect(session: Session, spec: EditorSpec): void {
  const node = session.node;
  const select = $('#node-input-operation');
  const kindField = $('#node-input-kind');
  // A node written by hand (or an old flow) may lack `kind`: the runtime then uses record plans.
  if (spec.kinds && !kindField.val()) kindField.val('record');
  const found = resolveAction(spec, node.operation);
  if (found) {
    select.val(found.action.key);
    if (spec.kinds && found.action.key !== node.operation) kindField.val(found.kind);
  } else if (typeof node.operation === 'string' && node.operation) {
    $('<option>').val(node.operation).text(t('label.unknownOperation', { operation: node.operation }, '(unknown: __operation__)')).appendTo(select);
    select.val(node.operation);
  } else if (spec.actions.length > 0) {
    select.val(spec.actions[0].key);
  }
}

function prepareRows(session: Session, spec: EditorSpec): void {
  session.form?.find('.lv-param[data-lv-property]').each(function (this: HTMLElement) {
    const wrapper = $(this);
    const property = String(wrapper.attr('data-lv-property'));
    const base = findBy(spec.properties, 'property', property);
    const input = $('#node-input-' + property);
    if (!base || !input.length) return;
    const label = wrapper.find('label').first();
    const row: Row = { property, base, param: base, wrapper, input, label, signature: typesSignature(base), help: '', visible: true, tooltip: null };
    if (PICKERS[property]) input.attr('style', 'width: calc(70% - 40px)');
    input.typedInput({ types: typesFor(base), typeField: '#node-input-' + property + 'Type', default: defaultTypedType(base) });
    if (hasRED() && RED.popover && RED.popover.tooltip) row.tooltip = RED.popover.tooltip(label, () => $('<span>').text(row.help));
    session.rows[property] = row;
  });
  session.cleanups.push(() => {
    for (const property of Object.keys(session.rows)) session.rows[property].tooltip?.delete?.();
  });
}

function update(session: Session, spec: EditorSpec): void {
  if (!session.open) return;
  const sel = selection(session.node, spec);
  const params = paramsOf(sel.action, sel.kind);
  let container: JQuery | null = null;
  for (const param of params) {
    const row = session.rows[param.property];
    if (!row) continue;
    container = container || row.wrapper.parent();
    container.append(row.wrapper); // rows follow the catalog order of the chosen operation
  }
  const oneOf = (sel.action && spec.hints?.oneOf?.[sel.action.key]) || [];
  for (const property of Object.keys(session.rows)) {
    const row = session.rows[property];
    const param = findBy(params, 'property', property);
    row.visible = !!param;
    if (!param) {
      row.wrapper.hide();
      continue;
    }
    row.param = param;
    const signature = typesSignature(param);
    if (signature !== row.signature) {
      row.input.typedInput('types', typesFor(param));
      row.signature = signature;
    }
    const required = !!param.required && !oneOf.some((group) => group.includes(property));
    row.label.toggleClass('lv-required', required);
    row.help = helpText(param, required);
    textInputOf(row).attr('placeholder', limitsText(param));
    row.wrapper.show();
  }
  session.form?.find('.lv-pages-row').toggle(!!(sel.action && sel.action.allPages));
  session.form?.find('[data-lv-actions]').each(function (this: HTMLElement) {
    const keys = String($(this).attr('data-lv-actions')).split(/\s+/);
    $(this).toggle(!!sel.action && keys.includes(sel.action.key));
  });
  for (const picker of session.pickers) picker.refreshKind();
  session.schedule?.refresh();
  session.onUpdate?.(sel);
}

/** Sets up an operation node's dialog (the api node's has its own). */
export function prepare(node: EditorNode): void {
  const spec = getSpec(String(node.type));
  const session = openSession(node, spec);
  const form = $('#node-input-operation').closest('form');
  session.form = form.length ? form : $(document.body);
  injectStyles();
  if (node.type === 'link-visual-api') {
    prepareApi(session);
    return;
  }
  if (!spec) return;
  prepareOperationSelect(session, spec);
  prepareRows(session, spec);
  for (const property of Object.keys(PICKERS)) {
    if (session.rows[property]) addPicker(session, session.rows[property], PICKERS[property]);
  }
  for (const property of Object.keys(session.rows)) {
    const row = session.rows[property];
    if (row.base.type === 'list' && row.base.items && row.base.items.enum) addEnumList(session, row);
  }
  if (session.rows.timeSectionList) buildSchedule(session);
  $('#node-input-operation, #node-input-kind').on('change.lvEditor', () => update(session, spec));
  $('#node-input-account').on('change.lvEditor', () => {
    for (const picker of session.pickers) picker.reset();
  });
  session.cleanups.push(() => $('#node-input-operation, #node-input-kind, #node-input-account').off('.lvEditor'));
  update(session, spec);
}
