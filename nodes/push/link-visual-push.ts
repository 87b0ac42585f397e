import type { LinkVisualError } from '../../lib/gateway/errors';
import type { PushStateEvent } from '../../lib/push/connection';
import type { AccountStatus, ConfigNode } from '../config/account';
import { clockTime } from '../on-event/status';
import { asLinkVisualError, nodeError } from '../shared/node-error';
import type { Node, NodeAPI, NodeDef, NodeStatus } from '../shared/red';
import { pushNodeMessage } from './push-message';
import { pushNodeSettings, wanted, type PushNodeSettings } from './settings';

interface PushNode extends Node {
  onAccountStatus?: (status: AccountStatus) => void;
}

function stateStatus(event: PushStateEvent, received: number, lastAt: number): NodeStatus {
  switch (event.state) {
    case 'connected':
      return { fill: 'green', shape: 'dot', text: `connected · ${received} message${received === 1 ? '' : 's'}${lastAt > 0 ? ` · ${clockTime(lastAt)}` : ''}` };
    case 'connecting':
      return { fill: 'yellow', shape: 'ring', text: 'connecting' };
    case 'refused':
      return { fill: 'red', shape: 'ring', text: 'credentials refused, retrying' };
    case 'lost':
      return { fill: 'yellow', shape: 'ring', text: 'link lost, reconnecting' };
    default:
      return { fill: 'grey', shape: 'ring', text: 'closed' };
  }
}

/**
 * Registers `link-visual-push`: an input node that emits every data-sync message of its account
 * (device events, property changes, online/offline), filtered by device, kind and identifier.
 */
export = function register(RED: NodeAPI): void {
  function PushNodeConstructor(this: PushNode, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    node.name = def.name;
    const account = typeof def.account === 'string' ? (RED.nodes.getNode(def.account) as ConfigNode | null) : null;
    let settings: PushNodeSettings | undefined;
    try {
      settings = pushNodeSettings(def);
    } catch (error) {
      const failure = asLinkVisualError(error);
      node.status({ fill: 'red', shape: 'ring', text: 'invalid settings' });
      node.error(failure.message);
    }
    let unsubscribe: (() => void) | undefined;
    let received = 0;
    let lastAt = 0;
    let lastState: PushStateEvent = { state: 'connecting' };

    if (!account) node.status({ fill: 'red', shape: 'ring', text: 'no account' });
    else if (account.account.configError) node.status({ fill: 'red', shape: 'ring', text: 'account settings incomplete' });
    else if (settings) {
      const hub = account.account.getPushHub();
      if (!hub) {
        node.status({ fill: 'red', shape: 'ring', text: account.account.pushError ? 'push settings invalid' : 'push is off in the account' });
        if (account.account.pushError) node.error(account.account.pushError.message);
      } else {
        const filters = settings;
        account.account.register(node);
        node.status({ fill: 'yellow', shape: 'ring', text: 'connecting' });
        unsubscribe = hub.subscribe({
          message: (message) => {
            if (!wanted(filters, message)) return;
            received += 1;
            lastAt = Date.now();
            node.send(pushNodeMessage(message));
            if (lastState.state === 'connected') node.status(stateStatus(lastState, received, lastAt));
          },
          state: (event) => {
            lastState = event;
            node.status(stateStatus(event, received, lastAt));
            if (event.state === 'refused' && event.error) reportOnce(event.error);
          },
          malformed: (error) => node.warn(error.message),
        });
      }
    }

    // A refusal repeats at every reconnect: one catchable error per episode, not one per attempt.
    let reported = false;
    function reportOnce(error: LinkVisualError): void {
      if (reported) return;
      reported = true;
      node.error(nodeError(error), { payload: null, error: { code: error.code, message: error.message, retryable: error.retryable } });
    }

    node.on('close', (_removed: boolean, done: () => void) => {
      unsubscribe?.();
      unsubscribe = undefined;
      account?.account.deregister(node);
      done();
    });
  }

  RED.nodes.registerType<PushNode, NodeDef>('link-visual-push', PushNodeConstructor);
};
