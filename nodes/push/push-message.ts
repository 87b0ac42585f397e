/** The message a `link-visual-push` node sends for one data-sync message. */
import type { PushMessage } from '../../lib/push/messages';
import type { NodeMessage } from '../shared/red';

/** The node message of one data-sync message: `msg.topic` its topic, `msg.payload` what it says. */
export function pushNodeMessage(message: PushMessage): NodeMessage {
  return {
    topic: message.topic,
    payload: {
      iotId: message.iotId,
      productKey: message.productKey,
      deviceName: message.deviceName,
      kind: message.kind,
      identifier: message.identifier,
      time: message.time,
      value: message.value,
      ...(message.messageId === undefined ? {} : { messageId: message.messageId }),
    },
    linkVisual: { operation: 'push', receivedAt: Date.now() },
  };
}

