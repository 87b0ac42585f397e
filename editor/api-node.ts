// The api node's dialog: a free operation with the catalog as suggestions (asked of the admin route), its
// description and parameters, and a button that writes a skeleton of the required parameters.
import { t } from './i18n';
import type { Session } from './session';
import { findBy } from './specs';

/** An operation as the catalog route lists it. */
interface CatalogOperation {
  readonly name: string;
  readonly path: string;
  readonly apiVer: string;
  readonly description: string;
  readonly params?: readonly { name: string; type: string; description: string; required?: boolean; default?: unknown }[];
}

let catalogRequest: Promise<CatalogOperation[]> | null = null;

function loadCatalog(): Promise<CatalogOperation[]> {
  if (!catalogRequest) {
    catalogRequest = new Promise((resolve) => {
      $.ajax({ url: 'link-visual/catalog', method: 'GET', dataType: 'json', timeout: 30000 })
        .done((answer: { operations?: unknown } | null) => {
          resolve(answer && Array.isArray(answer.operations) ? (answer.operations as CatalogOperation[]) : []);
        })
        .fail(() => {
          catalogRequest = null; // try again next time
          resolve([]);
        });
    });
  }
  return catalogRequest;
}

function skeletonValue(param: NonNullable<CatalogOperation['params']>[number]): unknown {
  if (param.default !== undefined) return param.default;
  switch (param.type) {
    case 'list':
      return [];
    case 'object':
      return {};
    case 'boolean':
      return false;
    case 'string':
      return '';
    default:
      return 0;
  }
}

/** Sets up the api node's dialog. */
export function prepareApi(session: Session): void {
  $('#node-input-params').typedInput({ types: ['json', 'msg', 'flow', 'global', 'env'], typeField: '#node-input-paramsType', default: 'json' });
  $('#node-input-apiVer').typedInput({ types: ['str', 'msg', 'flow', 'global', 'env'], typeField: '#node-input-apiVerType', default: 'str' });
  const operation = $('#node-input-operation');
  const info = $('.lv-api-info');
  const skeleton = $('#node-lv-api-skeleton');
  let operations: CatalogOperation[] = [];
  const listId = 'lv-api-operations-' + String(session.id).replace(/[^\w-]/g, '');
  const datalist = $('<datalist>').attr('id', listId).insertAfter(operation);
  operation.attr('list', listId);

  function current(): CatalogOperation | undefined {
    const text = String(operation.val() || '').trim();
    return findBy(operations, 'name', text) || findBy(operations, 'path', text);
  }

  function show(): void {
    const op = current();
    info.empty();
    skeleton.prop('disabled', !op);
    $('#node-input-apiVer')
      .next('.red-ui-typedInput-container')
      .find('input.red-ui-typedInput-input')
      .attr('placeholder', op ? t('api.catalogVersion', { apiVer: op.apiVer }, 'from the catalog: __apiVer__') : t('api.versionNeeded', null, 'required for a path outside the catalog'));
    if (!op) {
      if (String(operation.val() || '').trim() && operations.length) info.text(t('api.notInCatalog', null, 'Not in the catalog: the path is called as given, without validation; set apiVer.'));
      return;
    }
    $('<div>').append($('<code>').text(op.path), ' · apiVer ', $('<code>').text(op.apiVer)).appendTo(info);
    $('<div>').text(op.description).appendTo(info);
    if (op.params && op.params.length) {
      const list = $('<div class="lv-api-params"></div>').appendTo(info);
      op.params.forEach((param, index) => {
        if (index) list.append(', ');
        list.append($('<code>').text(param.name + (param.required ? '*' : '')).attr('title', param.type + ' — ' + param.description));
      });
    }
  }

  operation.on('change.lvEditor input.lvEditor', show);
  skeleton.on('click', () => {
    const op = current();
    if (!op) return;
    const body: Record<string, unknown> = {};
    for (const param of op.params || []) {
      if (param.required || param.default !== undefined) body[param.name] = skeletonValue(param);
    }
    $('#node-input-params').typedInput('type', 'json');
    $('#node-input-params').typedInput('value', JSON.stringify(body));
  });
  session.cleanups.push(() => operation.off('.lvEditor'));
  void loadCatalog().then((list) => {
    if (!session.open) return;
    operations = list;
    for (const op of list) $('<option>').val(op.name).text(op.path + ' — ' + op.description).appendTo(datalist);
    show();
  });
  show();
}
