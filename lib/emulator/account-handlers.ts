/** Handlers of the extra operations: sessions, cloud tokens, the device list and ping. */
import { isPlainObject } from '../util/plain-object';
import { num, pageOf, str, type Handler } from './handler-context';

function nested(params: Record<string, unknown>): Record<string, unknown> {
  return isPlainObject(params.request) ? params.request : {};
}

/** Handlers by operation name. */
export const accountHandlers: Readonly<Record<string, Handler>> = {
  createSessionByAuthCode: ({ params, signingAppKey }, { sessions, stats }) => {
    const request = nested(params);
    const answer = sessions.createSession(str(request, 'authCode'), str(request, 'appKey'), signingAppKey);
    stats.count('sessionsCreated');
    return answer;
  },
  checkOrRefreshSession: ({ params }, { sessions, stats }) => {
    const request = nested(params);
    const answer = sessions.refreshSession(str(request, 'identityId'), str(request, 'refreshToken'));
    stats.count('tokenRefreshes');
    return answer;
  },
  getCloudToken: ({ params }, { sessions, stats }) => {
    const answer = sessions.issueCloudToken(str(params, 'res'));
    stats.count('cloudTokensIssued');
    return answer;
  },
  refreshCloudToken: ({ params }, { sessions, stats }) => {
    const answer = sessions.refreshCloudToken(str(params, 'cloudToken'));
    stats.count('tokenRefreshes');
    return answer;
  },
  listDevices: ({ params }, { world }) => {
    const devices = [...world.devices.values()];
    const pageNo = num(params, 'pageNo', 1);
    const pageSize = num(params, 'pageSize', 20);
    const { page } = pageOf(devices, pageNo - 1, pageSize);
    return {
      total: devices.length,
      pageNo,
      pageSize,
      data: page.map((d) => ({ iotId: d.iotId, productKey: d.productKey, deviceName: d.deviceName, nickName: d.name, status: d.online ? 1 : 3 })),
    };
  },
  ping: ({ params }) => (typeof params.input === 'string' ? params.input : ''),
};
