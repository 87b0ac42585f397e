// The TypedInput types a parameter's field offers, from its catalog type (the type a field starts with is
// nodes/shared/typed-input.ts defaultTypedType, shared with the runtime and generate-editor.js).
import type { ParamSpec } from '../lib/catalog/types';
import { enumLabel, t, typedLabel } from './i18n';

// The context types offered besides the static ones (JSONata is left out: the catalog values are plain).
const CONTEXT = ['msg', 'flow', 'global', 'env'];

type Option = { value: string; label: string };

function formatDefault(param: ParamSpec): string {
  if (param.default === undefined) return '';
  const label = param.enum ? enumLabel(param, param.default) : '';
  return JSON.stringify(param.default) + (label ? ` (${label})` : '');
}

function notSetOption(param: ParamSpec): Option {
  const label =
    param.default !== undefined ? t('type.serverDefault', { value: formatDefault(param) }, '— not set: __value__ —') : t('type.notSet', null, '— not set —');
  return { value: '', label };
}

function enumOptions(param: ParamSpec): Option[] {
  return (param.enum ?? []).map((value) => {
    const label = enumLabel(param, value);
    return { value: String(value), label: label ? `${value} – ${label}` : String(value) };
  });
}

/** TypedInput types of a parameter (options for enums and booleans keep "not set" possible). */
export function typesFor(param: ParamSpec): TypedInputType[] {
  switch (param.type) {
    case 'int':
    case 'long': {
      const first: TypedInputType = param.enum
        ? { value: 'num', label: typedLabel('num', 'number'), icon: 'red/images/typedInput/09.svg', options: [notSetOption(param), ...enumOptions(param)] }
        : 'num';
      const types: TypedInputType[] = [first, 'str', ...CONTEXT];
      if (param.unit) {
        const options: Option[] = [
          { value: 'iso', label: t('type.nowIso', null, 'now (ISO 8601 text)') },
          { value: 'object', label: t('type.nowDate', null, 'now (Date)') },
        ];
        if (param.unit === 'ms') options.unshift({ value: '', label: t('type.nowMs', null, 'now (milliseconds)') });
        types.push({ value: 'date', label: typedLabel('date', 'timestamp'), icon: 'fa fa-clock-o', options });
      }
      return types;
    }
    case 'boolean':
      return [
        {
          value: 'bool',
          label: typedLabel('bool', 'boolean'),
          icon: 'red/images/typedInput/bool.svg',
          options: [notSetOption(param), { value: 'true', label: 'true' }, { value: 'false', label: 'false' }],
        },
        ...CONTEXT,
      ];
    case 'string': {
      const first: TypedInputType = param.enum
        ? { value: 'str', label: typedLabel('str', 'string'), icon: 'red/images/typedInput/az.svg', options: [notSetOption(param), ...enumOptions(param)] }
        : 'str';
      return [first, ...CONTEXT];
    }
    default:
      return ['json', ...CONTEXT];
  }
}

/** What a parameter's TypedInput types are built from: a row rebuilds them only when this changes. */
export function typesSignature(param: ParamSpec): string {
  return JSON.stringify([param.type, param.enum || null, param.enumLabels || null, param.unit || null, param.default === undefined ? null : param.default]);
}
