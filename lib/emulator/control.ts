/**
 * The control API: JSON over HTTP, unsigned, loopback clients only (403 otherwise), under /_emulator/.
 *
 *   GET  /_emulator/devices                    → {devices: [...]}
 *   POST /_emulator/devices                    {iotId, name?, cloudStorage?: true, online?: true, timeZone?: 8, productKey?} → the device
 *   POST /_emulator/events                     {iotId, eventType?: 1 (1–3 or intelligent 10000+), eventTime?: ms, picture?: true, recording?: true, visibleAfterMs?: 0}
 *                                              → {eventId, eventTime, pictureId?, fileNames}
 *   POST /_emulator/faults                     {path, mode: http|code|delay|reset, status?, code?, message?, delayMs?, times?: 1,
 *                                               retryAfterSeconds?, afterBytes?} → the armed fault
 *   GET  /_emulator/faults                     → {faults: [...]}        POST /_emulator/faults/clear → {cleared}
 *   POST /_emulator/tokens/expire              → {expired}: every issued iotToken/cloudToken expires now
 *   POST /_emulator/sessions/login-elsewhere   → {identityId, iotToken, refreshToken, iotTokenExpire, refreshTokenExpire,
 *                                                 endedOlderSessions}: the identity signs in on another device (a phone
 *                                                 app); with the one-login rule (variants.oneLogin) that new session is
 *                                                 the only one alive: older iotTokens are refused, older refresh tokens get 2401
 *   GET  /_emulator/stats                      → {requests, byPath, rejected: {signature, timestamp, nonce, auth, params},
 *                                                 tokenRefreshes, sessionsCreated, cloudTokensIssued, faultsApplied,
 *                                                 push: {connections, open, sent, settled, dropped, duplicated, redelivered,
 *                                                 refused, expired}}
 *   GET  /_emulator/push                       → {drop, duplicate, delayMs, early, refuse, bodyForm}: the AMQP push faults in force
 *   POST /_emulator/push                       {drop?: 0..1 (fraction never sent), duplicate?: 0..1 (fraction sent twice),
 *                                               delayMs?: extra ms before a push, early?: push events before event/query
 *                                               shows them, refuse?: N (the next N SASL logins refused), disconnect?: true
 *                                               (close every AMQP connection now), bodyForm?: data|string}
 *                                              → the settings in force (+ {disconnected: n} with disconnect); push-settings.ts
 *   POST /_emulator/reset                      → {reset: true}: the world, tokens, stats and faults as at start
 *   GET  /_emulator/state                      → the state file's JSON
 *   GET  /_emulator/time                       → {now, realNow, timeScale};  POST /_emulator/time {advanceMs} → same
 *   POST /_emulator/transcode-failures         {iotId?, fileName?, times?: 1} → the next matching transcode jobs end with status 2
 *   GET  /_emulator/variants                   → {eventOrder, numberForm, eventTimeForm, tokenErrorCode, oneLogin, vodFormat}
 *   POST /_emulator/variants                   any subset of those → all of them (the cloud's answer variants, options.ts;
 *                                               vodFormat mp4|hls: what vod/getbyeventid and vod/getbyfilename URLs play)
 *
 * Bad input → 400 `{error}`; unknown device → 404; unknown route → 404; wrong method → 405.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isPlainObject } from '../util/plain-object';
import type { PushBroker } from './amqp';
import type { Cameras } from './cameras';
import type { SimulatedClock } from './clock';
import type { Faults } from './faults';
import { BodyTooLargeError, InputError, isLoopback, readBody, sendJson } from './http';
import type { Sessions } from './sessions';
import type { EmulatorSnapshot } from './state-file';
import type { Stats } from './stats';
import type { Transcodes } from './transcode';
import type { Variants } from './variants';
import { BusinessError } from './codes';
import type { DeviceInput } from './records';
import type { World } from './world';

export const CONTROL_PREFIX = '/_emulator/';
const MAX_CONTROL_BODY = 64 * 1024;

/** What the control API drives. */
export interface ControlTarget {
  readonly world: World;
  readonly cameras: Cameras;
  readonly clock: SimulatedClock;
  readonly sessions: Sessions;
  readonly stats: Stats;
  readonly faults: Faults;
  readonly transcodes: Transcodes;
  readonly variants: Variants;
  readonly push: PushBroker;
  reset(): void;
  snapshot(): EmulatorSnapshot;
}

type Body = Record<string, unknown>;

function allowOnly(body: Body, keys: readonly string[]): void {
  const unknown = Object.keys(body).filter((key) => !keys.includes(key));
  if (unknown.length > 0) throw new InputError(`unknown field(s): ${unknown.join(', ')}; allowed: ${keys.join(', ')}`);
}

function optionalBoolean(body: Body, key: string): boolean | undefined {
  const value = body[key];
  if (value !== undefined && typeof value !== 'boolean') throw new InputError(`${key} must be true or false`);
  return value;
}

function optionalInteger(body: Body, key: string, min: number, max: number): number | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InputError(`${key} must be an integer from ${min} to ${max}`);
  }
  return value;
}

function optionalString(body: Body, key: string, maxLength = 128): string | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '' || value.length > maxLength) {
    throw new InputError(`${key} must be a non-empty string of at most ${maxLength} characters`);
  }
  return value;
}

function deviceInput(body: Body): DeviceInput {
  allowOnly(body, ['iotId', 'name', 'cloudStorage', 'online', 'timeZone', 'productKey']);
  const iotId = optionalString(body, 'iotId');
  if (iotId === undefined) throw new InputError('iotId is required');
  if (!/^[\w.:-]+$/.test(iotId)) throw new InputError('iotId may hold letters, digits, _ . : - only');
  const input: DeviceInput = { iotId };
  const name = optionalString(body, 'name');
  const cloudStorage = optionalBoolean(body, 'cloudStorage');
  const online = optionalBoolean(body, 'online');
  const timeZone = optionalInteger(body, 'timeZone', -11, 12);
  const productKey = optionalString(body, 'productKey');
  return {
    ...input,
    ...(name === undefined ? {} : { name }),
    ...(cloudStorage === undefined ? {} : { cloudStorage }),
    ...(online === undefined ? {} : { online }),
    ...(timeZone === undefined ? {} : { timeZone }),
    ...(productKey === undefined ? {} : { productKey }),
  };
}

function raiseEvent(target: ControlTarget, body: Body): Record<string, unknown> {
  allowOnly(body, ['iotId', 'eventType', 'eventTime', 'picture', 'recording', 'visibleAfterMs']);
  const iotId = optionalString(body, 'iotId');
  if (iotId === undefined) throw new InputError('iotId is required');
  if (!target.world.devices.has(iotId)) throw new InputError(`no device ${iotId}`, 404);
  // 1–3, and the intelligent types above 10000 (10005, 10006, 10009 … occur in the field).
  const eventType = optionalInteger(body, 'eventType', 1, 99_999) ?? 1;
  if (eventType > 3 && eventType <= 10_000) throw new InputError('eventType must be 1, 2, 3 or an intelligent type from 10001 to 99999');
  const event = target.cameras.raiseEvent({
    iotId,
    eventType,
    time: optionalInteger(body, 'eventTime', 0, 8.64e15) ?? target.clock.now(),
    picture: optionalBoolean(body, 'picture') ?? true,
    recording: optionalBoolean(body, 'recording') ?? true,
    visibleAfterMs: optionalInteger(body, 'visibleAfterMs', 0, 86_400_000) ?? 0,
  });
  return { eventId: event.eventId, eventTime: event.time, ...(event.pictureId ? { pictureId: event.pictureId } : {}), fileNames: event.fileNames };
}

function timeOf(target: ControlTarget): Record<string, number> {
  return { now: target.clock.now(), realNow: target.clock.realNow(), timeScale: target.clock.timeScale };
}

type Route = (target: ControlTarget, body: Body) => unknown;

/** Every route by path under /_emulator/ and method. */
const ROUTES: Readonly<Record<string, Partial<Record<'GET' | 'POST', Route>>>> = {
  devices: {
    GET: (target) => ({ devices: [...target.world.devices.values()] }),
    POST: (target, body) => {
      const input = deviceInput(body);
      const existing = target.world.devices.get(input.iotId);
      const before = existing ? { ...existing } : undefined;
      const device = target.world.upsertDevice(input);
      target.push.deviceChanged(before, device);
      return device;
    },
  },
  events: { POST: raiseEvent },
  faults: {
    GET: (target) => ({ faults: target.faults.list() }),
    POST: (target, body) => target.faults.add(body),
  },
  'faults/clear': {
    POST: (target) => {
      const cleared = target.faults.list().length;
      target.faults.clear();
      return { cleared };
    },
  },
  'tokens/expire': {
    POST: (target, body) => {
      allowOnly(body, []);
      return { expired: target.sessions.expireAll() };
    },
  },
  'sessions/login-elsewhere': {
    POST: (target, body) => {
      allowOnly(body, []);
      return { ...target.sessions.loginElsewhere(), endedOlderSessions: target.variants.oneLogin };
    },
  },
  stats: { GET: (target) => target.stats.snapshot() },
  reset: {
    POST: (target, body) => {
      allowOnly(body, []);
      target.reset();
      return { reset: true };
    },
  },
  state: { GET: (target) => target.snapshot() },
  time: {
    GET: timeOf,
    POST: (target, body) => {
      allowOnly(body, ['advanceMs']);
      const advanceMs = optionalInteger(body, 'advanceMs', 0, 8.64e15);
      if (advanceMs === undefined) throw new InputError('advanceMs is required');
      target.clock.advance(advanceMs);
      return timeOf(target);
    },
  },
  'transcode-failures': { POST: (target, body) => target.transcodes.armFailure(body) },
  variants: { GET: (target) => target.variants.toJSON(), POST: (target, body) => target.variants.set(body) },
  push: { GET: (target) => target.push.current(), POST: (target, body) => target.push.configure(body) },
};

async function readControlBody(req: IncomingMessage): Promise<Body> {
  const raw = await readBody(req, MAX_CONTROL_BODY);
  if (raw.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new InputError('body is not JSON');
  }
  if (!isPlainObject(parsed)) throw new InputError('body must be a JSON object');
  return parsed;
}

/** Answers one control request (the path starts with /_emulator). */
export async function handleControl(req: IncomingMessage, res: ServerResponse, pathname: string, target: ControlTarget): Promise<void> {
  if (!isLoopback(req.socket.remoteAddress)) {
    req.resume();
    sendJson(res, 403, { error: 'the control API answers loopback clients only' });
    return;
  }
  const path = pathname.slice(CONTROL_PREFIX.length).replace(/\/+$/, '');
  const methods = Object.prototype.hasOwnProperty.call(ROUTES, path) ? ROUTES[path] : undefined;
  const route = req.method === 'GET' || req.method === 'POST' ? methods?.[req.method] : undefined;
  if (!route) {
    req.resume();
    sendJson(res, methods ? 405 : 404, { error: `${methods ? 'method not allowed' : 'no such route'}: ${req.method ?? ''} ${pathname}` });
    return;
  }
  try {
    const body = req.method === 'POST' ? await readControlBody(req) : {};
    sendJson(res, 200, route(target, body));
  } catch (error) {
    if (error instanceof InputError) sendJson(res, error.status, { error: error.message });
    else if (error instanceof BusinessError) sendJson(res, 400, { error: error.message });
    else if (error instanceof BodyTooLargeError) sendJson(res, 413, { error: error.message });
    else throw error;
  }
}
