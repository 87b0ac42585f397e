/**
 * A tiny signed test client for the emulator (signRequest + Node's fetch), independent of our
 * LinkVisualClient, plus control API helpers.
 */
import assert from 'node:assert/strict';
import { findOperation } from '../../lib/catalog/operations';
import { startEmulator, type EmulatorHandle, type EmulatorOptions } from '../../lib/emulator';
import { signRequest, type SignatureMethod } from '../../lib/gateway/sign';

export interface Envelope {
  id?: string;
  code: number;
  message?: string;
  localizedMsg?: string;
  data?: unknown;
}

export interface RawAnswer {
  status: number;
  headers: Headers;
  text: string;
}

export interface RawOptions {
  appKey?: string;
  appSecret?: string;
  signatureMethod?: SignatureMethod;
  timestamp?: number | string;
  nonce?: string;
  method?: string;
  /** Changes the signed headers before sending (to forge requests). */
  tamperHeaders?: (headers: Record<string, string>) => void;
  /** Sent instead of the signed body. */
  sendBody?: string;
}

export type Token = { iotToken?: string; cloudToken?: string };

/** Plain object access for answers. */
export type Json = Record<string, unknown>;

/** Starts an emulator on 127.0.0.1 with a free port. */
export function start(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  return startEmulator({ host: '127.0.0.1', port: 0, ...options });
}

/** Signs and posts requests to one emulator. */
export class TestClient {
  iotToken: string | undefined;

  constructor(readonly emulator: EmulatorHandle) {}

  /** Posts `body` to `path`, signed (unless tampered), and returns the raw answer. */
  async raw(path: string, body: string, options: RawOptions = {}): Promise<RawAnswer> {
    const method = options.method ?? 'POST';
    const headers = signRequest({
      method,
      url: path,
      body,
      appKey: options.appKey ?? this.emulator.appKey,
      appSecret: options.appSecret ?? this.emulator.appSecret,
      signatureMethod: options.signatureMethod,
      timestamp: options.timestamp,
      nonce: options.nonce,
    });
    options.tamperHeaders?.(headers);
    const response = await fetch(`${this.emulator.url}${path}`, {
      method,
      headers,
      body: method === 'GET' || method === 'HEAD' ? undefined : options.sendBody ?? body,
    });
    return { status: response.status, headers: response.headers, text: await response.text() };
  }

  /** Calls an operation by name or path with a fresh envelope; asserts HTTP 200 and returns the envelope. */
  async call(nameOrPath: string, params: Json = {}, token: Token | null = null, options: RawOptions = {}): Promise<Envelope> {
    const operation = findOperation(nameOrPath);
    assert.ok(operation, `no operation ${nameOrPath}`);
    const request: Json = { apiVer: operation.apiVer };
    const useToken = token ?? (operation.auth === 'user' ? { iotToken: await this.token() } : {});
    Object.assign(request, useToken);
    const body = JSON.stringify({ id: `t-${Math.random().toString(36).slice(2)}`, version: '1.0', request, params });
    const answer = await this.raw(operation.path, body, options);
    assert.equal(answer.status, 200, `HTTP ${answer.status}: ${answer.headers.get('x-ca-error-message') ?? answer.text}`);
    return JSON.parse(answer.text) as Envelope;
  }

  /** Calls and asserts code 200; returns `data`. */
  async ok<T = Json>(nameOrPath: string, params: Json = {}, token: Token | null = null): Promise<T> {
    const envelope = await this.call(nameOrPath, params, token);
    assert.equal(envelope.code, 200, `${nameOrPath}: code ${envelope.code} ${envelope.message ?? ''}`);
    return envelope.data as T;
  }

  /** Calls and asserts a business failure code; returns the message. */
  async fails(nameOrPath: string, params: Json, code: number, token: Token | null = null): Promise<string> {
    const envelope = await this.call(nameOrPath, params, token);
    assert.equal(envelope.code, code, `${nameOrPath}: expected code ${code}, got ${envelope.code} ${envelope.message ?? ''}`);
    return envelope.message ?? '';
  }

  /** A valid iotToken for the demo identity (fetched once). */
  async token(): Promise<string> {
    if (!this.iotToken) {
      const data = await this.ok<Json>(
        'checkOrRefreshSession',
        { request: { identityId: this.emulator.identityId, refreshToken: this.emulator.refreshToken } },
        {},
      );
      this.iotToken = String(data.iotToken);
    }
    return this.iotToken;
  }

  /** A control API request; returns status and parsed JSON. */
  async control<T = Json>(method: 'GET' | 'POST', route: string, body?: unknown): Promise<{ status: number; json: T }> {
    const response = await fetch(`${this.emulator.url}/_emulator/${route}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, json: (text ? JSON.parse(text) : {}) as T };
  }

  /** Control API reset (world, tokens, stats, faults); forgets the cached iotToken. */
  async reset(): Promise<void> {
    await this.controlOk('POST', 'reset');
    this.iotToken = undefined;
  }

  /** A control request that must succeed (HTTP 200). */
  async controlOk<T = Json>(method: 'GET' | 'POST', route: string, body?: unknown): Promise<T> {
    const { status, json } = await this.control<T>(method, route, body);
    assert.equal(status, 200, `control ${method} ${route}: ${status} ${JSON.stringify(json)}`);
    return json;
  }
}

/** Waits `ms` real milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Fetches a URL and returns status, headers and body bytes. */
export async function download(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const response = await fetch(url, { headers });
  return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
}

/** Epoch ms of local midnight (UTC offset `zone` hours) of the day containing `at`. */
export function localMidnight(at: number, zone: number): number {
  const day = 86_400_000;
  return Math.floor((at + zone * 3_600_000) / day) * day - zone * 3_600_000;
}
