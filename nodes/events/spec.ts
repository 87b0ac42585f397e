import type { OperationNodeSpec } from '../shared/operation-node';
import { countOf, fixedStatus } from '../shared/summaries';
import { isPlainObject } from '../../lib/util/plain-object';

/** `link-visual-events`: events by time (all pages) or ids, business-event push settings. */
export const nodeSpec: OperationNodeSpec = {
  type: 'link-visual-events',
  actions: [
    { key: 'byTime', operation: 'queryEvents', allPages: true, summary: countOf('event') },
    {
      key: 'byIds',
      operation: 'queryEventsByIds',
      summary: (data) => countOf('event')(isPlainObject(data) && Array.isArray(data.eventList) ? data.eventList : Array.isArray(data) ? data : []),
    },
    { key: 'getConfig', operation: 'getEventConfig', summary: (data) => (isPlainObject(data) ? `every ${String(data.eventInterval)} s` : 'ok') },
    { key: 'setConfig', operation: 'setEventConfig', summary: fixedStatus('set') },
  ],
  editor: { defaultOperation: 'byTime', operationField: 'select', label: 'operation' },
};
