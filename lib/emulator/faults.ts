/**
 * Injected faults (control API `POST /_emulator/faults`): the next `times` requests matching `path`
 * fail as told. `path` is an exact path, a prefix ending in `*` (`/vision/customer/record/*`,
 * `/_media/*`), or `*` alone for every gateway API path (not media, not control).
 * Modes: `http` (non-2xx with a gateway-style X-Ca-Error-Message), `code` (HTTP 200 with a business
 * code, e.g. 429), `delay` (answer normally after delayMs), `reset` (drop the connection; on media,
 * after `afterBytes` body bytes when given).
 */
import { API_CODES, apiCodeMessage } from '../gateway/api-codes';
import { isPlainObject } from '../util/plain-object';
import { InputError } from './http';

export type FaultMode = 'http' | 'code' | 'delay' | 'reset';

export interface Fault {
  readonly id: number;
  readonly path: string;
  readonly mode: FaultMode;
  readonly status: number;
  readonly code: number;
  readonly message: string;
  readonly delayMs: number;
  readonly times: number;
  readonly retryAfterSeconds?: number;
  readonly afterBytes?: number;
  remaining: number;
}

const MODES: readonly FaultMode[] = ['http', 'code', 'delay', 'reset'];
const KEYS = new Set(['path', 'mode', 'status', 'code', 'message', 'delayMs', 'times', 'retryAfterSeconds', 'afterBytes']);

const HTTP_MESSAGES: Readonly<Record<number, string>> = {
  400: 'Invalid Request',
  401: 'Empty Signature',
  403: 'Throttled by APP Flow Control',
  404: 'Invalid Url',
  408: 'Request Timeout',
  413: 'Request Body Too Large',
  429: 'Too Many Requests',
  500: 'Internal Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

function integer(body: Record<string, unknown>, key: string, fallback: number, min: number, max: number): number {
  const value = body[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InputError(`${key} must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** The armed faults, first armed first used. */
export class Faults {
  private faults: Fault[] = [];
  private nextId = 1;

  /** Validates control input and arms a fault. */
  add(input: unknown): Fault {
    if (!isPlainObject(input)) throw new InputError('body must be a JSON object');
    const unknown = Object.keys(input).filter((key) => !KEYS.has(key));
    if (unknown.length > 0) throw new InputError(`unknown field(s): ${unknown.join(', ')}; allowed: ${[...KEYS].join(', ')}`);
    const { path, mode, message } = input;
    if (typeof path !== 'string' || !(path === '*' || path.startsWith('/'))) throw new InputError("path must be '*' or start with '/'");
    if (typeof mode !== 'string' || !MODES.includes(mode as FaultMode)) throw new InputError(`mode must be one of ${MODES.join(', ')}`);
    if (message !== undefined && (typeof message !== 'string' || /[^\x20-\x7e]/.test(message))) {
      throw new InputError('message must be printable ASCII');
    }
    const status = integer(input, 'status', 503, 300, 599);
    const code = integer(input, 'code', API_CODES.TOO_MANY_REQUESTS.code, 201, 99_999_999);
    const fault: Fault = {
      id: this.nextId++,
      path,
      mode: mode as FaultMode,
      status,
      code,
      message: (message as string | undefined) ?? (mode === 'http' ? HTTP_MESSAGES[status] ?? 'Gateway Error' : apiCodeMessage(code) ?? 'error'),
      delayMs: integer(input, 'delayMs', 1000, 0, 600_000),
      times: integer(input, 'times', 1, 1, 1_000_000),
      remaining: 0,
      ...(input.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: integer(input, 'retryAfterSeconds', 0, 0, 86_400) }),
      ...(input.afterBytes === undefined ? {} : { afterBytes: integer(input, 'afterBytes', 0, 0, Number.MAX_SAFE_INTEGER) }),
    };
    fault.remaining = fault.times;
    this.faults.push(fault);
    return fault;
  }

  /** Uses up one turn of the first fault matching the path, if any. `api` tells whether `*` applies. */
  take(path: string, api: boolean): Fault | undefined {
    const fault = this.faults.find((f) => f.remaining > 0 && matches(f.path, path, api));
    if (!fault) return undefined;
    fault.remaining -= 1;
    this.faults = this.faults.filter((f) => f.remaining > 0);
    return fault;
  }

  /** The faults still armed. */
  list(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  /** Disarms everything. */
  clear(): void {
    this.faults = [];
  }
}

function matches(pattern: string, path: string, api: boolean): boolean {
  if (pattern === '*') return api;
  if (pattern.endsWith('*')) return path.startsWith(pattern.slice(0, -1));
  return pattern === path;
}
