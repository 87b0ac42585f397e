import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The parts of node-red-node-test-helper these tests use (it ships no types). */
export interface TestHelper {
  init(runtimePath: string, settings?: Record<string, unknown>): void;
  settings(settings: Record<string, unknown>): Record<string, unknown>;
  load(nodes: unknown[], flow: Record<string, unknown>[], credentials?: Record<string, Record<string, string>>): Promise<void>;
  unload(): Promise<void>;
  getNode(id: string): TestNode | null;
  startServer(done: (err?: Error) => void): void;
  stopServer(done: (err?: Error) => void): void;
  request(): { get(path: string): SuperRequest; post(path: string): SuperRequest };
}

export interface SuperRequest {
  send(body: unknown): SuperRequest;
  set(name: string, value: string): SuperRequest;
  expect(status: number): Promise<{ body: unknown; status: number }>;
}

export interface TestNode {
  id: string;
  type: string;
  credentials: Record<string, string | undefined>;
  on(event: string, listener: (...args: never[]) => void): void;
  receive(msg: Record<string, unknown>): void;
  status: { getCalls(): { args: unknown[] }[] } & ((status: unknown) => void);
  error: { getCalls(): { args: unknown[] }[] } & ((...args: unknown[]) => void);
  warn: { getCalls(): { args: unknown[] }[] } & ((...args: unknown[]) => void);
  [key: string]: unknown;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const helper = require('node-red-node-test-helper') as TestHelper;
helper.init(require.resolve('node-red'));

/** The calls of a spied Node method made by this node (the test helper spies on the shared prototype). */
export function callsOf(node: TestNode, method: 'status' | 'error'): { args: unknown[] }[] {
  return (node[method].getCalls() as { args: unknown[]; thisValue?: unknown }[]).filter((call) => call.thisValue === node);
}

/** The node's latest status. */
export function statusOf(node: TestNode): { fill?: string; shape?: string; text?: string } {
  const calls = callsOf(node, 'status');
  return (calls[calls.length - 1]?.args[0] ?? {}) as { fill?: string; shape?: string; text?: string };
}

/** Every node module of the package, loaded from source. */
export function packageNodes(): unknown[] {
  /* eslint-disable @typescript-eslint/no-require-imports */
  return [
    require('../../nodes/config/link-visual-config'),
    require('../../nodes/plan/link-visual-plan'),
    require('../../nodes/bind/link-visual-bind'),
    require('../../nodes/recordings/link-visual-recordings'),
    require('../../nodes/record/link-visual-record'),
    require('../../nodes/snapshot/link-visual-snapshot'),
    require('../../nodes/pictures/link-visual-pictures'),
    require('../../nodes/events/link-visual-events'),
    require('../../nodes/storage/link-visual-storage'),
    require('../../nodes/api/link-visual-api'),
    require('../../nodes/download/link-visual-download'),
    require('../../nodes/on-event/link-visual-on-event'),
    require('../../nodes/push/link-visual-push'),
    require('../../nodes/ui-link-visual-events/ui-link-visual-events'),
  ];
  /* eslint-enable @typescript-eslint/no-require-imports */
}

/** A fresh Node-RED user directory for one test file; removed by the returned function. */
export function tempUserDir(): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lv-userdir-'));
  helper.settings({ userDir: dir });
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** The flow entry and credentials of an account node pointing at an emulator. */
export function accountNode(
  url: string,
  options: { id?: string; authMode?: string; rateLimit?: number; credentials?: Record<string, string> } = {},
): { node: Record<string, unknown>; credentials: Record<string, Record<string, string>> } {
  const id = options.id ?? 'account';
  return {
    node: { id, type: 'link-visual-config', name: 'emulator', region: 'custom', endpoint: url, authMode: options.authMode ?? 'session', rateLimit: options.rateLimit ?? 50, timeout: 5 },
    credentials: {
      [id]: options.credentials ?? { appKey: 'demo-app-key', appSecret: 'demo-app-secret', identityId: 'demo-identity', refreshToken: 'demo-refresh-token' },
    },
  };
}

/** Resolves with the next message a helper node receives (rejects after `ms`). */
export function nextMessage(node: TestNode, ms = 10_000): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no message at ${node.id} within ${ms} ms`)), ms);
    node.on('input', ((msg: Record<string, unknown>) => {
      clearTimeout(timer);
      resolve(msg);
    }) as (...args: never[]) => void);
  });
}

/** Queues every message a helper node receives, so a test can await them in order. */
export class MessageQueue {
  private readonly queue: Record<string, unknown>[] = [];
  private waiter: ((msg: Record<string, unknown>) => void) | undefined;

  constructor(node: TestNode) {
    node.on('input', ((msg: Record<string, unknown>) => {
      if (this.waiter) {
        const resolve = this.waiter;
        this.waiter = undefined;
        resolve(msg);
      } else this.queue.push(msg);
    }) as (...args: never[]) => void);
  }

  /** The next message (already queued or still to come). */
  next(ms = 10_000): Promise<Record<string, unknown>> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`no message within ${ms} ms`));
      }, ms);
      this.waiter = (msg) => {
        clearTimeout(timer);
        resolve(msg);
      };
    });
  }

  /** How many messages are waiting. */
  get size(): number {
    return this.queue.length;
  }
}

/**
 * Sends `msg` to a node and resolves with what reaches the sink next: the node's output, or the
 * Catch node's copy (`msg.error.source` set) when the node failed.
 */
export async function exchange(
  node: TestNode,
  msg: Record<string, unknown>,
  sink: MessageQueue,
  ms = 15_000,
): Promise<{ output?: Record<string, unknown>; error?: Record<string, unknown> }> {
  node.receive(msg);
  const received = await sink.next(ms);
  const error = received.error as { source?: unknown } | undefined;
  return error && typeof error === 'object' && error.source ? { error: received } : { output: received };
}
