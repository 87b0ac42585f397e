// The placeholder and tooltip of a parameter row: its limits, unit, default and whether it is required, all read
// from the catalog spec the row shows.
import type { ParamSpec } from '../lib/catalog/types';
import { t } from './i18n';

/** Short limits for the placeholder: range, unit, pattern, items. */
export function limitsText(param: ParamSpec): string {
  const parts: string[] = [];
  if (param.type === 'int' || param.type === 'long') {
    if (param.unit) parts.push(param.unit === 's' ? t('hint.epochS', null, 'epoch seconds or a date') : t('hint.epochMs', null, 'epoch ms or a date'));
    if (!param.enum) {
      if (param.min !== undefined && param.max !== undefined) parts.push(`${param.min} … ${param.max}`);
      else if (param.min !== undefined && !param.unit) parts.push(`≥ ${param.min}`);
      else if (param.max !== undefined) parts.push(`≤ ${param.max}`);
    }
  }
  if (param.type === 'string') {
    if (param.patternHint) parts.push(param.patternHint);
    if (param.maxLength !== undefined) parts.push(t('hint.maxLength', { max: param.maxLength }, '≤ __max__ characters'));
  }
  if (param.type === 'list') {
    const items = param.items && param.items.type === 'string' ? '["…", "…"]' : param.items && param.items.type === 'object' ? '[{…}]' : '[…]';
    parts.push(items);
    if (param.minItems !== undefined && param.maxItems !== undefined) {
      parts.push(t('hint.itemsRange', { min: param.minItems, max: param.maxItems }, '__min__ to __max__ items'));
    } else if (param.maxItems !== undefined) {
      parts.push(t('hint.maxItems', { max: param.maxItems }, 'at most __max__ items'));
    }
  }
  if (param.type === 'object') parts.push('{…}');
  if (param.default !== undefined && !param.enum && param.type !== 'boolean') parts.push(t('hint.default', { value: JSON.stringify(param.default) }, 'default __value__'));
  return parts.join(' · ');
}

/** The tooltip of a parameter row: name, description, limits and whether it is required. */
export function helpText(param: ParamSpec, required: boolean): string {
  let text = `${param.name} — ${param.description}`;
  const limits = limitsText(param);
  if (limits) text += ` (${limits})`;
  if (required) text += ` ${t('hint.required', null, 'Required.')}`;
  if (param.requiredWhen) {
    text += ` ${t('hint.requiredWhen', { param: param.requiredWhen.param, value: JSON.stringify(param.requiredWhen.equals) }, 'Required when __param__ is __value__.')}`;
  }
  return text;
}
