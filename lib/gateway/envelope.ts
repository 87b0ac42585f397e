import { randomUUID } from 'node:crypto';
import { isPlainObject } from '../util/plain-object';

/** The `request` block of the envelope (docs/protocol.md §3). */
export interface EnvelopeRequest {
  apiVer: string;
  iotToken?: string;
  cloudToken?: string;
  language?: string;
}

/** What every call sends: `{id, version, request, params}`. */
export interface RequestEnvelope {
  id: string;
  version: string;
  request: EnvelopeRequest;
  params: Record<string, unknown>;
}

/** What every answer carries: `{id, code, message, localizedMsg, data}`. */
export interface ResponseEnvelope {
  /** The request's id, echoed (a client may send a number). */
  id?: string | number;
  code: number;
  message?: string | null;
  localizedMsg?: string | null;
  data?: unknown;
}

/** Builds the request envelope; `id` defaults to a fresh UUID. */
export function buildRequestEnvelope(
  apiVer: string,
  params: Record<string, unknown>,
  token: { iotToken?: string; cloudToken?: string } = {},
  options: { id?: string; language?: string } = {},
): RequestEnvelope {
  const request: EnvelopeRequest = { apiVer };
  if (token.iotToken !== undefined) request.iotToken = token.iotToken;
  if (token.cloudToken !== undefined) request.cloudToken = token.cloudToken;
  if (options.language !== undefined) request.language = options.language;
  return { id: options.id ?? randomUUID(), version: '1.0', request, params };
}

/** Builds an answer envelope: the request's id echoed, `localizedMsg` the same as `message`, `data` null when absent. */
export function buildResponseEnvelope(id: string | number | undefined, code: number, message: string, data?: unknown): ResponseEnvelope {
  return { id, code, message, localizedMsg: message, data: data ?? null };
}

/**
 * Deepest nesting accepted in an answer. Real answers nest a few levels; a deeper one is refused, since
 * Node-RED clones messages recursively and a very deep `data` would overflow the stack in a flow.
 */
export const MAX_RESPONSE_DEPTH = 100;

/** True when objects and arrays in `value` nest deeper than `limit` (checked without recursion). */
function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (depth > limit) return true;
    const children = Array.isArray(current) ? current : Object.values(current as object);
    for (const child of children) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

/** Reads a response body into an envelope, or returns why it is not one. */
export function parseResponseEnvelope(body: string): { envelope: ResponseEnvelope } | { problem: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { problem: body.length === 0 ? 'empty response body' : 'response body is not JSON' };
  }
  if (!isPlainObject(parsed)) return { problem: 'response body is not a JSON object' };
  if (nestedDeeperThan(parsed, MAX_RESPONSE_DEPTH)) return { problem: `response nests deeper than ${MAX_RESPONSE_DEPTH} levels` };
  const code = parsed.code;
  if (typeof code !== 'number' || !Number.isInteger(code)) return { problem: 'response has no numeric code' };
  const message = parsed.message;
  const localizedMsg = parsed.localizedMsg;
  return {
    envelope: {
      id: typeof parsed.id === 'string' ? parsed.id : undefined,
      code,
      message: typeof message === 'string' ? message : null,
      localizedMsg: typeof localizedMsg === 'string' ? localizedMsg : null,
      data: parsed.data,
    },
  };
}
