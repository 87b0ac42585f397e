import { LinkVisualError } from '../../lib/gateway/errors';
import { isPlainObject } from '../../lib/util/plain-object';
import { numberOf } from '../../lib/gateway/numbers';
import { VOD_URL_FALLBACK_MS, expiresAtFor } from '../../lib/media/url-expiry';
import type { NodeAction, OperationNodeSpec } from '../shared/operation-node';
import { countOf, fixedStatus } from '../shared/summaries';

/** The cloud deletes at most this many recordings per call (seed: fileNameList ≤ 100). */
const DELETE_CHUNK = 100;

/** Recordings: query by time, month calendar, VOD URLs, batch delete (chunked), duration config. */
export const recordingActions: readonly NodeAction[] = [
  {
    key: 'query',
    operation: 'queryRecordings',
    allPages: true,
    async run(context) {
      // Each recording carries its camera, so it can go straight into a download or delete.
      const iotId = context.params.iotId;
      const withCamera = (item: unknown) => (isPlainObject(item) && item.iotId === undefined ? { iotId, ...item } : item);
      if (!context.onePage) {
        const recordings = (await context.collect('queryRecordings', context.params)).map(withCamera);
        return { payload: recordings, status: countOf('recording')(recordings) };
      }
      const page = await context.call('queryRecordings', context.params);
      const list = isPlainObject(page) && Array.isArray(page.recordFileList) ? page.recordFileList.map(withCamera) : [];
      return { payload: isPlainObject(page) ? { ...page, recordFileList: list } : page, status: countOf('recording')(list) };
    },
  },
  {
    key: 'month',
    operation: 'queryMonthRecordings',
    summary: (data) => {
      const flags = isPlainObject(data) && typeof data.recordFlags === 'string' ? data.recordFlags : '';
      const days = [...flags].filter((flag) => flag === '1').length;
      return `${days} day${days === 1 ? '' : 's'} recorded`;
    },
  },
  {
    key: 'vodByFile',
    operation: 'getVodUrlByFileName',
    async run(context) {
      const data = await context.call('getVodUrlByFileName', context.params);
      const url = isPlainObject(data) && typeof data.vodUrl === 'string' ? data.vodUrl : undefined;
      if (!url) throw new LinkVisualError('INVALID_RESPONSE', 'vod/getbyfilename: the answer has no vodUrl', { path: '/vision/customer/vod/getbyfilename' });
      return { payload: data, status: 'URL ready', extra: { expiresAt: expiresAtFor(url, VOD_URL_FALLBACK_MS) } };
    },
  },
  {
    key: 'vodByEvent',
    operation: 'getVodUrlByEvent',
    async run(context) {
      const data = await context.call('getVodUrlByEvent', context.params);
      const list = isPlainObject(data) && Array.isArray(data.vodList) ? data.vodList : [];
      const expiries = list
        .map((entry) => (isPlainObject(entry) && typeof entry.vodUrl === 'string' ? expiresAtFor(entry.vodUrl, VOD_URL_FALLBACK_MS) : undefined))
        .filter((at): at is number => at !== undefined);
      return {
        payload: data,
        status: `${list.length} file${list.length === 1 ? '' : 's'}`,
        // No URL, no expiry: never leave an older msg.expiresAt behind.
        extra: { expiresAt: expiries.length > 0 ? Math.min(...expiries) : undefined },
      };
    },
  },
  {
    key: 'delete',
    operation: 'deleteRecordings',
    batched: 'fileNameList',
    async run(context) {
      const names = context.params.fileNameList;
      const chunks: Record<string, unknown>[] = [];
      if (Array.isArray(names) && names.length > DELETE_CHUNK) {
        for (let i = 0; i < names.length; i += DELETE_CHUNK) chunks.push({ ...context.params, fileNameList: names.slice(i, i + DELETE_CHUNK) });
      } else {
        chunks.push(context.params);
      }
      for (const chunk of chunks) context.check('deleteRecordings', chunk); // all of them, before the first request
      let deletedCount = 0;
      for (const [index, chunk] of chunks.entries()) {
        if (chunks.length > 1) context.progress(`deleting ${index + 1}/${chunks.length}`);
        const data = await context.call('deleteRecordings', chunk);
        if (isPlainObject(data)) deletedCount += numberOf(data.deletedCount) ?? 0; // numeric text too
      }
      return { payload: { deletedCount, requests: chunks.length }, status: `${deletedCount} deleted` };
    },
  },
  // progress may come as numeric text ("80"), docs/protocol.md §8.2.
  { key: 'downloadUrl', operation: 'getDownloadUrl', summary: (data) => (isPlainObject(data) && numberOf(data.progress) !== undefined ? `${numberOf(data.progress)}%` : 'ok') },
  { key: 'getDuration', operation: 'getRecordDuration', summary: (data) => (isPlainObject(data) ? `${String(data.recordDuration)} s` : 'ok') },
  { key: 'setDuration', operation: 'setRecordDuration', summary: fixedStatus('set') },
];

/** `link-visual-recordings`: cloud recordings. */
export const nodeSpec: OperationNodeSpec = {
  type: 'link-visual-recordings',
  actions: recordingActions,
  editor: { defaultOperation: 'query', operationField: 'select', label: 'operation' },
};
