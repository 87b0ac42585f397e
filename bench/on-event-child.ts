/**
 * The reference of the on-event CPU figure, in its own process (so that its CPU is its own).
 * Options as JSON in argv[2]; over IPC:
 *  - `paced` {rate, ms}: a hand-written undici loop sending signed `event/query` requests at `rate`
 *    per second for `ms`, answering with its CPU share (a reference for the idle CPU figure);
 *  - `stop`.
 */
import { Agent, request } from 'undici';
import { buildRequestEnvelope } from '../lib/gateway/envelope';
import { signRequest } from '../lib/gateway/sign';

interface Options {
  readonly url: string;
  readonly appKey: string;
  readonly appSecret: string;
  readonly identityId: string;
  readonly refreshToken: string;
  readonly cameras: readonly string[];
  readonly intervalMs: number;
  readonly overlapMs: number;
}

interface Request {
  readonly seq: number;
  readonly cmd: 'paced' | 'stop';
  readonly rate?: number;
  readonly ms?: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as Options;
const dispatcher = new Agent({ connections: 16, keepAliveTimeout: 30_000 });
const reply = (message: Record<string, unknown>) => process.send?.(message);
let errors = 0;
let firstError: string | undefined;

let iotToken: string | undefined;

async function signedPost(path: string, apiVer: string, params: Record<string, unknown>, token?: string): Promise<{ code: number; data?: Record<string, unknown> }> {
  const url = options.url + path;
  const body = JSON.stringify(buildRequestEnvelope(apiVer, params, token ? { iotToken: token } : {}));
  const headers = signRequest({ method: 'POST', url, body, appKey: options.appKey, appSecret: options.appSecret });
  const response = await request(url, { method: 'POST', headers, body, dispatcher });
  return (await response.body.json()) as { code: number; data?: Record<string, unknown> };
}

/** Signed `event/query` requests at `rate` per second, by hand; the CPU share of this process meanwhile. */
async function paced(rate: number, ms: number): Promise<number> {
  if (!iotToken) {
    const session = await signedPost('/account/checkOrRefreshSession', '1.0.4', { request: { identityId: options.identityId, refreshToken: options.refreshToken } });
    iotToken = String(session.data?.iotToken);
  }
  const token = iotToken;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const pending: Promise<void>[] = [];
  let sent = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = performance.now() - started;
      if (elapsed >= ms) {
        clearInterval(timer);
        resolve();
        return;
      }
      // Keep to the rate however the timer drifts.
      while (sent < (elapsed / 1000) * rate) {
        const iotId = options.cameras[sent % options.cameras.length];
        sent += 1;
        const endTime = Date.now();
        pending.push(
          signedPost('/vision/customer/event/query', '2.1.2', { iotId, beginTime: endTime - options.overlapMs, endTime, eventType: 0, pageStart: 0, pageSize: 100 }, token).then(
            (answer) => {
              if (answer.code !== 200) throw new Error(`code ${answer.code}`);
            },
            (error: unknown) => {
              errors += 1;
              firstError ??= String(error);
            },
          ),
        );
      }
    }, 1000 / rate);
  });
  await Promise.all(pending);
  const usage = process.cpuUsage(cpuBefore);
  return ((usage.user + usage.system) / 1000 / (performance.now() - started)) * 100;
}

process.on('message', (message: Request) => {
  const answer = (work: () => Promise<Record<string, unknown>>) =>
    work().then(
      (value) => reply({ seq: message.seq, ...value }),
      (error: unknown) => reply({ seq: message.seq, error: String(error) }),
    );
  if (message.cmd === 'paced') void answer(async () => ({ cpuPercent: await paced(Number(message.rate), Number(message.ms)) }));
  else {
    void answer(async () => {
      await dispatcher.close();
      setImmediate(() => process.disconnect?.());
      return { stopped: true, errors, firstError };
    });
  }
});
reply({ ready: true });
