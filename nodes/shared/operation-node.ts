import type { CallResult, LinkVisualClient, Operation, ParamSpec } from '../../lib';
import { LinkVisualError } from '../../lib/gateway/errors';
import { findOperation } from '../../lib/catalog/operations';
import { formatProblems, validateParams } from '../../lib/catalog/validate';
import { isPlainObject } from '../../lib/util/plain-object';
import type { AccountStatus, ConfigNode } from '../config/account';
import { coerceParams } from './message-params';
import { PLAN_KINDS, findAction, isPlanKind, operationToRun, type PlanKind } from './actions';
import { isFieldSet, typedParamValue } from './typed-input';
import { isApiVersion } from '../../lib/catalog/call-syntax';
import type { OperationNodeEditor } from './node-editor';
import { asLinkVisualError, messageError, nodeError, sessionStatusText } from './node-error';
import { readRangedSettings } from './operation-settings';
import type { DoneFunction, Node, NodeAPI, NodeDef, NodeMessage, SendFunction } from './red';
import type { SettingValue } from './setting-spec';

export { PLAN_KINDS, type PlanKind };

/** What an action's `run` gets: the merged parameters and helpers that record what was called. */
export interface ActionContext {
  readonly client: LinkVisualClient;
  readonly msg: NodeMessage;
  readonly kind: PlanKind;
  /** Parameters from the node's fields, overlaid by `msg.payload`, coerced to the catalog's types. */
  readonly params: Record<string, unknown>;
  /** The node's own editor settings (for options that are not API parameters). */
  readonly settings: NodeDef;
  /** The node's own settings that have a range (EditorSetting.range), read: each value, its default when blank. */
  readonly rangedSettings: Readonly<Record<string, SettingValue>>;
  /** False when the node locks msg overrides ("ignore msg overrides"). */
  readonly useMsg: boolean;
  /** True when a list action should fetch one page only (`pages` setting or `msg.pages`). */
  readonly onePage: boolean;
  readonly signal: AbortSignal;
  /**
   * The versions `msg.apiVer` asks for, by catalog operation name (by path for one outside the catalog), for
   * the lib functions a `run` calls (their `apiVersions` option); empty without `msg.apiVer`.
   */
  readonly apiVersions: Readonly<Record<string, string>>;
  /** The version `msg.apiVer` asks for an operation (name or path), or undefined: its catalog version then. */
  apiVersion(operation: string): string | undefined;
  /** Calls an operation (at its `msg.apiVer` version, if any); remembers it for `msg.linkVisual`. */
  call(operation: string, params: Record<string, unknown>): Promise<unknown>;
  /** Every item of every page of a list operation. */
  collect(operation: string, params: Record<string, unknown>): Promise<unknown[]>;
  /** Validates params for an operation without sending (throws INVALID_PARAMS). */
  check(operation: string, params: Record<string, unknown>): void;
  /** Shows progress in the node status. */
  progress(text: string): void;
}

/** What an action produces for the output message. */
export interface ActionResult {
  readonly payload: unknown;
  /** Short status text, e.g. "3 plans". */
  readonly status?: string;
  /** Extra message properties (contentType, filename, expiresAt…). */
  readonly extra?: Record<string, unknown>;
  /** The call behind the result, when the action made it itself. */
  readonly meta?: CallResult;
  /** The version sent for the action's main operation, when its run called it outside `call`/`collect`. */
  readonly apiVer?: string;
}

/** One thing a node can do: a catalog operation (per plan kind) or a composed `run`. */
export interface NodeAction {
  readonly key: string;
  /** The catalog operation, or one per plan kind. */
  readonly operation?: string | Readonly<Record<PlanKind, string>>;
  /** Parameters beyond the operation's own (composed actions), with their types. */
  readonly extraParams?: readonly ParamSpec[];
  /** For list operations: fetch every page unless the node's `pages` setting is `one`. */
  readonly allPages?: boolean;
  /** A list parameter the action's `run` sends in batches of the catalog's maxItems: it takes any number of items. */
  readonly batched?: string;
  readonly run?: (context: ActionContext) => Promise<ActionResult>;
  /**
   * The operations a string `msg.apiVer` applies to, when not just `operation` (plan `apply` writes with set
   * or update). An action without `operation` (the api node's) applies it to the operation it was asked for.
   */
  readonly apiVerOperations?: Readonly<Record<PlanKind, readonly string[]>>;
  /** Status text for a plain operation's result. */
  readonly summary?: (payload: unknown) => string;
}

/** The shape of one operation node type. */
export interface OperationNodeSpec {
  readonly type: string;
  readonly actions: readonly NodeAction[];
  /** Whether the node has a record/event `kind`. */
  readonly kinds?: boolean;
  /** Let `msg.payload` supply any parameter, not only those the catalog lists (the `api` node). */
  readonly passThroughParams?: boolean;
  /** Resolve an operation that is not one of the actions (the `api` node). */
  readonly resolveOther?: (name: string, def: NodeDef, msg: NodeMessage) => NodeAction | undefined;
  /** Its editor, generated from nodes/shared/operation-node.template.html (scripts/generate-editor.js). */
  readonly editor?: OperationNodeEditor;
}

interface OperationNode extends Node {
  onAccountStatus?: (status: AccountStatus) => void;
}

function operationOf(action: NodeAction, kind: PlanKind): Operation | undefined {
  if (!action.operation) return undefined;
  const name = typeof action.operation === 'string' ? action.operation : action.operation[kind];
  return findOperation(name);
}

/** Finds the action for a configured or requested operation: an action key, a catalog name or an API path. */
export function resolveAction(spec: OperationNodeSpec, requested: string, kind: PlanKind): { action: NodeAction; kind: PlanKind } | undefined {
  return findAction(spec.actions, requested, kind, (name) => findOperation(name)?.name);
}

/** The parameter specs an action reads: its operation's plus any extra ones. */
export function actionParams(action: NodeAction, kind: PlanKind): readonly ParamSpec[] {
  const own = (operationOf(action, kind)?.params ?? []).map((param) => (param.name === action.batched ? { ...param, maxItems: undefined } : param));
  return [...own, ...(action.extraParams ?? [])];
}

function evaluate(RED: NodeAPI, node: Node, value: unknown, type: string, msg: NodeMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    RED.util.evaluateNodeProperty(value, type, node, msg, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

// API parameter names that Node-RED reserves or the node already uses for something else.
const PROPERTY_ALIASES: Readonly<Record<string, string>> = { name: 'planName', type: 'imageType' };

/** The node property that holds an API parameter in the editor (`name` → `planName`, `type` → `imageType`). */
export function paramProperty(paramName: string): string {
  return PROPERTY_ALIASES[paramName] ?? paramName;
}

function shownValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 40));
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

/** `msg.apiVer` as a string, checked: undefined when absent (the catalog's version is used), else the version; INVALID_PARAMS otherwise. */
export function messageApiVersion(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (isApiVersion(value)) return value;
  throw new LinkVisualError('INVALID_PARAMS', `apiVer must be a version like "2.1.5" (digits.digits.digits), or an object of them by operation, got ${shownValue(value)}`, {
    problems: [{ path: 'apiVer', message: 'must be digits.digits.digits, e.g. 2.1.5, or an object of them by operation' }],
  });
}

/** The key an operation has in a versions map: its catalog name, or the path as given for one outside the catalog. */
function versionKey(operation: string): string {
  return findOperation(operation)?.name ?? operation.trim();
}

/**
 * `msg.apiVer` checked, as versions by operation: a string is the version of the action's `main` operations;
 * an object maps operation names or API paths to versions (each digits.digits.digits). Keys become catalog
 * names; a key outside the catalog is accepted only when it is one of `main` (a path asked of the api node).
 * Empty when absent. INVALID_PARAMS for a malformed version, an unknown operation, or two versions for one.
 */
export function messageApiVersions(value: unknown, main: readonly string[]): Readonly<Record<string, string>> {
  const versions: Record<string, string> = Object.create(null) as Record<string, string>;
  if (!isPlainObject(value)) {
    const version = messageApiVersion(value);
    if (version !== undefined) for (const name of main) versions[versionKey(name)] = version;
    return versions;
  }
  const problems: { path: string; message: string }[] = [];
  const owned = new Set(main.map(versionKey));
  for (const [key, version] of Object.entries(value)) {
    const where = `apiVer[${JSON.stringify(key.slice(0, 80))}]`;
    const name = findOperation(key)?.name ?? (owned.has(key.trim()) ? key.trim() : undefined);
    if (name === undefined) {
      problems.push({ path: where, message: 'is not an operation name or API path of the catalog' });
    } else if (!isApiVersion(version)) {
      problems.push({ path: where, message: `must be a version like "2.1.5" (digits.digits.digits), got ${shownValue(version)}` });
    } else if (versions[name] !== undefined && versions[name] !== version) {
      problems.push({ path: where, message: `gives ${name} a second version (${versions[name]} and ${version})` });
    } else {
      versions[name] = version;
    }
  }
  if (problems.length > 0) {
    const more = problems.length > 5 ? `; and ${problems.length - 5} more` : '';
    throw new LinkVisualError('INVALID_PARAMS', `${formatProblems(problems.slice(0, 5))}${more}`, { problems });
  }
  return versions;
}

/** The operations a string `msg.apiVer` applies to for an action: see `NodeAction.apiVerOperations`. */
function apiVerTargets(action: NodeAction, kind: PlanKind): readonly string[] {
  if (action.apiVerOperations) return action.apiVerOperations[kind];
  if (action.operation === undefined) return [action.key];
  const own = operationOf(action, kind)?.name;
  return own ? [own] : [];
}

/** Reads the parameters for an action: node fields (TypedInputs) first, then `msg.payload` by spec name. */
async function gatherParams(
  RED: NodeAPI,
  node: Node,
  def: NodeDef,
  msg: NodeMessage,
  specs: readonly ParamSpec[],
  options: { useMsg: boolean; passThrough: boolean },
): Promise<Record<string, unknown>> {
  const params: Record<string, unknown> = {};
  for (const spec of specs) {
    const property = paramProperty(spec.name);
    const raw = def[property];
    const type = typeof def[`${property}Type`] === 'string' ? (def[`${property}Type`] as string) : 'str';
    if (!isFieldSet(raw, type)) continue;
    let value: unknown;
    try {
      value = await evaluate(RED, node, raw, type, msg);
    } catch (error) {
      throw new LinkVisualError('INVALID_PARAMS', `${spec.name}: ${(error as Error).message}`, {
        problems: [{ path: spec.name, message: (error as Error).message }],
      });
    }
    value = typedParamValue(spec, type, value);
    if (value !== undefined) params[spec.name] = value;
  }
  if (options.useMsg && isPlainObject(msg.payload)) {
    const payload = msg.payload;
    const names = options.passThrough ? Object.keys(payload) : specs.map((spec) => spec.name);
    for (const name of names) {
      if (!Object.prototype.hasOwnProperty.call(payload, name) || payload[name] === undefined) continue;
      // Defined, not assigned: `params.__proto__ = x` would swap the object's prototype and hide the key from validation.
      Object.defineProperty(params, name, { value: payload[name], enumerable: true, writable: true, configurable: true });
    }
  }
  return coerceParams(specs, params);
}

function summarise(payload: unknown): string {
  if (Array.isArray(payload)) return `${payload.length} item${payload.length === 1 ? '' : 's'}`;
  return 'ok';
}

/**
 * Registers one operation node type: the shared path from an input message to a Link Visual call and
 * back (precedence of msg over settings, validation before the network, status, structured errors,
 * exactly one `done` per message, cancellation on close).
 */
export function registerOperationNode(RED: NodeAPI, spec: OperationNodeSpec): void {
  function OperationNodeConstructor(this: OperationNode, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    node.name = def.name;
    const account = typeof def.account === 'string' ? (RED.nodes.getNode(def.account) as ConfigNode | null) : null;
    const inflight = new Set<AbortController>();
    let statusTimer: NodeJS.Timeout | undefined;
    let closing = false;
    let busy = 0;

    // A status is sent only when it changes: with many messages in flight it would otherwise be two events
    // per message through the runtime (and to every open editor).
    let shown = '';
    const setStatus = (fill: 'red' | 'green' | 'yellow' | 'blue' | 'grey', shape: 'dot' | 'ring', text: string) => {
      const key = `${fill}|${shape}|${text}`;
      if (key === shown) return;
      shown = key;
      node.status({ fill, shape, text });
    };
    if (!account) setStatus('red', 'ring', 'no account');
    else if (account.account.configError) setStatus('red', 'ring', 'account settings incomplete');
    else node.status({});

    node.onAccountStatus = (status) => {
      const ended = status.state === 'error' ? sessionStatusText(status.reason) : undefined;
      if (ended) setStatus('red', 'ring', ended);
      if (status.state !== 'backoff') return;
      setStatus('yellow', 'ring', `${status.reason} backing off ${Math.max(1, Math.round(status.ms / 1000))} s`);
      if (statusTimer) clearTimeout(statusTimer);
      statusTimer = setTimeout(() => {
        statusTimer = undefined;
        if (!closing) setStatus(busy > 0 ? 'blue' : 'grey', 'dot', busy > 0 ? 'working' : 'resumed');
      }, status.ms);
    };
    account?.account.register(node);

    async function handle(msg: NodeMessage, signal: AbortSignal): Promise<{ result: ActionResult; meta: CallResult | undefined; kind: PlanKind; action: NodeAction }> {
      if (!account) throw new LinkVisualError('CONFIG', 'no Link Visual account is configured on this node');
      const useMsg = def.ignoreMsg !== true && def.ignoreMsg !== 'true';
      const requestedKind = useMsg && typeof msg.kind === 'string' ? msg.kind : typeof def.kind === 'string' ? def.kind : 'record';
      if (spec.kinds && !isPlanKind(requestedKind)) {
        throw new LinkVisualError('INVALID_PARAMS', `kind must be "record" or "event", got ${JSON.stringify(requestedKind).slice(0, 40)}`, {
          problems: [{ path: 'kind', message: 'must be "record" or "event"' }],
        });
      }
      const kind = (spec.kinds ? requestedKind : 'record') as PlanKind;
      // No operation configured: a node's first action is its default (the only one for record/snapshot).
      const configured = operationToRun(def.operation, spec.actions);
      const requested = useMsg && typeof msg.operation === 'string' && msg.operation !== '' ? msg.operation : configured;
      const resolved = resolveAction(spec, requested, kind) ?? (() => {
        const other = spec.resolveOther?.(requested, def, msg);
        return other ? { action: other, kind } : undefined;
      })();
      if (!resolved) {
        throw new LinkVisualError('INVALID_PARAMS', `operation "${requested.slice(0, 80)}" is not one of this node's: ${spec.actions.map((a) => a.key).join(', ')}`, {
          problems: [{ path: 'operation', message: 'unknown for this node' }],
        });
      }
      const { action } = resolved;
      // A setting out of its range is refused as the editor flags it, before anything is sent.
      const ranged = readRangedSettings(spec.editor?.settings, action.key, def);
      if (ranged.problems.length > 0) {
        const problems = ranged.problems.map((problem) => ({ path: problem.property, message: problem.text }));
        throw new LinkVisualError('CONFIG', `${spec.type.replace(/^link-visual-/, '')} settings: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`, { problems });
      }
      // msg.apiVer picks other versions where the cloud has moved on (docs/protocol.md §3.2): a string for the action's
      // main operation, or versions by operation for any call the action makes.
      const apiVersions = useMsg ? messageApiVersions(msg.apiVer, apiVerTargets(action, resolved.kind)) : messageApiVersions(undefined, []);
      const specs = actionParams(action, resolved.kind);
      const params = await gatherParams(RED, node, def, msg, specs, { useMsg, passThrough: spec.passThroughParams === true });
      const client = await account.account.getClient();
      const onePage = useMsg && (msg.pages === 'one' || msg.pages === 'all') ? msg.pages === 'one' : def.pages === 'one';
      let meta: CallResult | undefined;
      // An operation msg.apiVer does not name keeps its catalog version.
      const versionFor = (operation: string): string | undefined => (typeof operation === 'string' ? apiVersions[versionKey(operation)] : undefined);
      const context: ActionContext = {
        client,
        msg,
        kind: resolved.kind,
        params,
        settings: def,
        rangedSettings: ranged.values,
        useMsg,
        onePage,
        signal,
        apiVersions,
        apiVersion: versionFor,
        async call(operation, callParams) {
          meta = await client.callDetailed(operation, callParams, { signal, apiVer: versionFor(operation) });
          return meta.data;
        },
        async collect(operation, callParams) {
          const started = Date.now();
          const version = versionFor(operation); // every page goes at the same version
          const items = await client.list(operation, callParams, { signal, apiVer: version });
          const op = client.resolve(operation);
          meta = { data: items, operation: op.name, path: op.path, apiVer: version ?? op.apiVer, attempts: 1, durationMs: Date.now() - started };
          return items;
        },
        check(operation, callParams) {
          const op = client.resolve(operation);
          const problems = validateParams(op, callParams);
          if (problems.length > 0) {
            throw new LinkVisualError('INVALID_PARAMS', `${op.name}: ${formatProblems(problems)}`, { path: op.path, problems });
          }
        },
        progress(text) {
          setStatus('blue', 'dot', text);
        },
      };
      if (action.run) {
        const result = await action.run(context);
        return { result, meta: result.meta ?? meta, kind: resolved.kind, action };
      }
      const operation = operationOf(action, resolved.kind);
      if (!operation) throw new LinkVisualError('INVALID_PARAMS', `operation "${requested}" has nothing to call`);
      const payload = action.allPages && operation.paging && !onePage ? await context.collect(operation.name, params) : await context.call(operation.name, params);
      return { result: { payload, status: (action.summary ?? summarise)(payload) }, meta, kind: resolved.kind, action };
    }

    node.on('input', (msg: NodeMessage, send: SendFunction, done: DoneFunction) => {
      const controller = new AbortController();
      inflight.add(controller);
      busy += 1;
      if (busy === 1) setStatus('blue', 'dot', 'working');
      handle(msg, controller.signal)
        .then(({ result, meta, kind, action }) => {
          // The control properties were for this node: a next Link Visual node must not inherit them.
          if (def.ignoreMsg !== true && def.ignoreMsg !== 'true') {
            delete msg.operation;
            delete msg.kind;
            delete msg.pages;
            delete msg.apiVer;
          }
          msg.payload = result.payload;
          if (result.extra) Object.assign(msg, result.extra);
          msg.linkVisual = {
            operation: meta?.operation ?? action.key,
            path: meta?.path,
            apiVer: result.apiVer ?? meta?.apiVer,
            requestId: meta?.requestId,
            durationMs: meta?.durationMs,
            ...(spec.kinds ? { kind } : {}),
          };
          if (busy === 1) setStatus('green', 'dot', result.status ?? 'ok'); // the others in flight still say working
          send(msg);
          done();
        })
        .catch((thrown: unknown) => {
          const error = asLinkVisualError(thrown);
          if (closing && (error.code === 'CLOSED' || error.code === 'ABORTED')) {
            done(); // redeploy cancelled it: nothing to report
            return;
          }
          msg.error = messageError(error);
          const code = error.code === 'INVALID_PARAMS' ? 'invalid input' : `${error.code}${error.apiCode ? ` ${error.apiCode}` : ''}`;
          setStatus('red', 'ring', sessionStatusText(error.reason) ?? code);
          done(nodeError(error));
        })
        .finally(() => {
          busy -= 1;
          inflight.delete(controller);
        });
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      closing = true;
      if (statusTimer) clearTimeout(statusTimer);
      for (const controller of inflight) controller.abort(new LinkVisualError('ABORTED', 'the node was closed'));
      account?.account.deregister(node);
      done();
    });
  }

  RED.nodes.registerType<OperationNode, NodeDef>(spec.type, OperationNodeConstructor);
}

/** The module function Node-RED calls for one operation node file. */
export function operationNodeModule(spec: OperationNodeSpec): (RED: NodeAPI) => void {
  return (RED) => registerOperationNode(RED, spec);
}
