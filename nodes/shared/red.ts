/**
 * The slice of Node-RED's runtime API these nodes use. Node-RED ships no typings for node authors
 * and @types/node-red models 1.3; these few interfaces are checked against 4.x and 5.x behaviour.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface NodeMessage {
  _msgid?: string;
  payload?: unknown;
  topic?: string;
  [key: string]: unknown;
}

export interface NodeStatus {
  fill?: 'red' | 'green' | 'yellow' | 'blue' | 'grey';
  shape?: 'ring' | 'dot';
  text?: string;
}

export type SendFunction = (msg: NodeMessage | (NodeMessage | NodeMessage[] | null)[] | null) => void;
export type DoneFunction = (err?: Error) => void;

/** A node instance as the runtime gives it to a constructor. */
export interface Node<Credentials extends object = Record<string, string | undefined>> {
  readonly id: string;
  readonly type: string;
  readonly z?: string;
  name?: string;
  credentials: Credentials;
  on(event: 'input', listener: (msg: NodeMessage, send: SendFunction, done: DoneFunction) => void): void;
  on(event: 'close', listener: (removed: boolean, done: () => void) => void): void;
  send(msg: NodeMessage | (NodeMessage | NodeMessage[] | null)[] | null): void;
  status(status: NodeStatus): void;
  log(message: unknown): void;
  warn(message: unknown): void;
  error(message: unknown, msg?: NodeMessage): void;
  debug(message: unknown): void;
  trace(message: unknown): void;
  context(): { get(key: string): unknown; set(key: string, value: unknown): void };
}

/** Properties every node definition carries. */
export interface NodeDef {
  id: string;
  type: string;
  name?: string;
  z?: string;
  [key: string]: unknown;
}

/** Minimal Express-like request and response for admin routes. */
export interface AdminRequest extends IncomingMessage {
  params: Record<string, string>;
  body?: unknown;
}
export interface AdminResponse extends ServerResponse {
  json(body: unknown): void;
  status(code: number): AdminResponse;
}
export type AdminHandler = (req: AdminRequest, res: AdminResponse) => void;

export interface NodeAPI {
  nodes: {
    createNode(node: object, def: NodeDef): void;
    getNode(id: string): unknown;
    registerType<N extends Node<object>, D extends NodeDef>(
      type: string,
      constructor: (this: N, def: D) => void,
      options?: { credentials?: Record<string, { type: 'text' | 'password' }>; settings?: Record<string, unknown> },
    ): void;
    getCredentials(id: string): Record<string, string> | undefined;
  };
  util: {
    evaluateNodeProperty(
      value: unknown,
      type: string,
      node: Node,
      msg: NodeMessage,
      callback: (err: Error | null, result: unknown) => void,
    ): void;
    cloneMessage<T>(msg: T): T;
  };
  settings: { userDir?: string; [key: string]: unknown };
  httpAdmin: {
    get(path: string, ...handlers: AdminHandler[]): void;
    post(path: string, ...handlers: AdminHandler[]): void;
  };
  auth: { needsPermission(permission: string): AdminHandler };
  log: { info(m: unknown): void; warn(m: unknown): void; error(m: unknown): void; debug(m: unknown): void };
  _: (key: string, substitutions?: Record<string, unknown>) => string;
  version?: () => string;
}
