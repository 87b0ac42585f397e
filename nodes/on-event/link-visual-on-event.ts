import { LinkVisualError } from '../../lib/gateway/errors';
import { CursorStore, cursorFilePath } from '../../lib/events/cursor-store';
import { EventFeed, type FeedDelivery } from '../../lib/events/event-feed';
import { OVERDUE_PERIODS, judgeLiveness } from '../../lib/events/liveness';
import type { EventPoller } from '../../lib/events/poller';
import type { AccountStatus, ConfigNode } from '../config/account';
import { asLinkVisualError, messageError, nodeError } from '../shared/node-error';
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeStatus } from '../shared/red';
import { eventMessage } from './event-message';
import { onEventSettings, type OnEventSettings } from './settings';
import { clockTime, onEventStatus } from './status';

interface OnEventNode extends Node {
  onAccountStatus?: (status: AccountStatus) => void;
}

/** Seconds every query reaches back before the cursor (late-indexed events); `linkVisualOnEventOverlap` in settings.js. */
const DEFAULT_OVERLAP_S = 300;

function overlapMs(RED: NodeAPI): number {
  const configured = Number(RED.settings.linkVisualOnEventOverlap);
  return Math.round((Number.isFinite(configured) && configured >= 0 ? configured : DEFAULT_OVERLAP_S) * 1000);
}

/**
 * Registers `link-visual-on-event`: an input node that delivers every camera event of its devices
 * once, through the account's shared poller, with a persistent cursor under the user directory.
 * Output 1: events; output 2: events the cooldown suppressed.
 */
export = function register(RED: NodeAPI): void {
  function OnEventNodeConstructor(this: OnEventNode, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const startedAt = Date.now(); // "new" means events after this instant, however long the cursor file takes to load
    node.name = def.name;
    const account = typeof def.account === 'string' ? (RED.nodes.getNode(def.account) as ConfigNode | null) : null;
    let settings: OnEventSettings | undefined;
    let problem: LinkVisualError | undefined;
    try {
      settings = onEventSettings(def);
    } catch (error) {
      problem = asLinkVisualError(error);
    }

    let closing = false;
    let store: CursorStore | undefined;
    let feed: EventFeed | undefined;
    let poller: EventPoller | undefined;
    let refreshTimer: NodeJS.Timeout | undefined;
    let lastStatus = '';
    let overdue = false;
    let backoff: { reason: string; until: number } | undefined;
    // With the account's push on: 'push' while its connection is up (polls only sweep), else 'degraded' (polls at the interval).
    let push: { mode: 'push' | 'degraded'; lastPushAt: number; reason?: string } | undefined;
    let unsubscribePush: (() => void) | undefined;

    const setStatus = (status: NodeStatus) => {
      const key = JSON.stringify(status);
      if (key === lastStatus) return;
      lastStatus = key;
      node.status(status);
    };

    if (!account) {
      setStatus({ fill: 'red', shape: 'ring', text: 'no account' });
    } else if (account.account.configError) {
      setStatus({ fill: 'red', shape: 'ring', text: 'account settings incomplete' });
    } else if (problem || !settings) {
      setStatus({ fill: 'red', shape: 'ring', text: 'invalid settings' });
      node.error(problem?.message ?? 'invalid settings');
    }

    const send = (delivery: FeedDelivery) => {
      const msg = eventMessage(delivery);
      node.send(delivery.suppressed ? [null, msg] : [msg, null]);
    };

    // Liveness and the status line, once a second or so: overdue polls raise one catchable error per episode.
    const refresh = () => {
      try {
        check();
      } catch (error) {
        node.warn(`on-event status: ${asLinkVisualError(error).message}`);
      }
    };
    const check = () => {
      if (closing || !feed || !settings) return;
      const now = Date.now();
      const liveness = judgeLiveness(feed.health(), feed.intervalMs, now, settings.devices ? undefined : feed.deviceListHealth());
      const isOverdue = liveness.overdue.length > 0 || liveness.listOverdue;
      if (isOverdue && !overdue) {
        overdue = true;
        const since = liveness.lastOkAt > 0 ? `since ${clockTime(liveness.lastOkAt)}` : 'since the start';
        const reason = liveness.lastError ? `: ${liveness.lastError.message}` : '';
        const what = liveness.listOverdue ? "the account's device list could not be read" : `no successful event poll of ${liveness.overdue.map((d) => d.iotId).slice(0, 5).join(', ')}${liveness.overdue.length > 5 ? ', …' : ''}`;
        const error = new LinkVisualError('TIMEOUT', `${what} ${since} (over ${OVERDUE_PERIODS} intervals)${reason}`, {
          retryable: true,
          ...(liveness.lastError?.path ? { path: liveness.lastError.path } : {}),
          ...(liveness.lastError?.apiCode !== undefined ? { apiCode: liveness.lastError.apiCode } : {}),
          ...(liveness.lastError?.httpStatus !== undefined ? { httpStatus: liveness.lastError.httpStatus } : {}),
        });
        const msg: NodeMessage = {
          topic: 'link-visual/on-event/overdue',
          payload: {
            devices: liveness.overdue.map((d) => d.iotId),
            lastPollAt: liveness.lastOkAt || null,
            intervalMs: feed.intervalMs,
            lastError: liveness.lastError ? messageError(liveness.lastError) : null,
          },
          error: messageError(error),
        };
        node.error(nodeError(error), msg);
      } else if (!isOverdue && overdue) {
        overdue = false;
        node.log('event polls recovered');
      }
      const stretch = poller?.budget().stretch ?? 1;
      const longest = Math.max(0, ...liveness.devices.map((d) => d.periodMs ?? 0));
      const stretched = stretch > 1 && longest > 0 ? Math.round(longest / 1000) : undefined;
      const backoffLeft = backoff ? Math.ceil((backoff.until - now) / 1000) : 0;
      if (backoff && backoffLeft <= 0) backoff = undefined;
      setStatus(
        onEventStatus({
          liveness,
          delivered: feed.delivered,
          suppressed: feed.suppressed,
          cooldown: settings.cooldownMs > 0,
          devices: feed.watched()?.length,
          backoff: backoff ? { reason: backoff.reason, seconds: backoffLeft } : undefined,
          stretchedSeconds: stretched,
          push,
        }),
      );
    };

    node.onAccountStatus = (status) => {
      if (status.state !== 'backoff') return;
      backoff = { reason: status.reason, until: Date.now() + status.ms };
      refresh();
    };

    const ready = (async () => {
      if (!account || account.account.configError || !settings) return;
      const config = settings;
      account.account.register(node);
      setStatus({ fill: 'grey', shape: 'ring', text: 'starting' });
      const userDir = typeof RED.settings.userDir === 'string' ? RED.settings.userDir : undefined;
      const opened = await CursorStore.open(userDir ? cursorFilePath(userDir, node.id) : undefined, { overlapMs: overlapMs(RED), warn: (message) => node.warn(message) });
      if (closing) {
        await opened.close();
        return;
      }
      store = opened;
      feed = new EventFeed({
        id: node.id,
        devices: config.devices,
        eventType: config.eventType,
        intervalMs: config.intervalMs,
        startup: config.startup,
        backfillMs: config.backfillMs,
        cooldownMs: config.cooldownMs,
        image: config.image,
        clip: config.clip,
        store: opened,
        client: () => account.account.getClient(),
        emit: send,
        startedAt,
        onError: (error, iotId) => node.warn(`an event of ${iotId} could not be sent: ${asLinkVisualError(error).message}`),
      });
      poller = account.account.getPoller();
      feed.start(poller);
      const hub = account.account.getPushHub();
      if (hub) {
        // Pushes trigger polls of their device; event/query stays the source of truth (same cursor, same ids).
        const pushFeed = feed;
        push = { mode: 'degraded', lastPushAt: 0, reason: 'connecting' };
        unsubscribePush = hub.subscribe({
          message: (message) => {
            if (message.kind !== 'event' || message.iotId === '' || !push) return;
            push.lastPushAt = Date.now();
            pushFeed.nudge(message.iotId, message.time);
          },
          state: (event) => {
            if (!push) return;
            const up = event.state === 'connected';
            push = { ...push, mode: up ? 'push' : 'degraded', reason: up ? undefined : event.state === 'connecting' ? 'connecting' : event.state };
            pushFeed.setIntervalMs(up ? config.sweepMs : config.intervalMs);
            refresh();
          },
        });
      }
      if (!userDir) node.warn('no Node-RED user directory: the event cursor is kept in memory only (events may repeat after a restart)');
      refresh();
      refreshTimer = setInterval(refresh, Math.min(5000, Math.max(1000, Math.round(config.intervalMs / 2))));
    })().catch((error: unknown) => {
      if (closing) return;
      const failure = asLinkVisualError(error);
      setStatus({ fill: 'red', shape: 'ring', text: failure.code });
      node.error(nodeError(failure), { payload: null, error: messageError(failure) });
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      closing = true;
      if (refreshTimer) clearInterval(refreshTimer);
      refreshTimer = undefined;
      account?.account.deregister(node);
      unsubscribePush?.();
      unsubscribePush = undefined;
      (async () => {
        await ready;
        await feed?.close();
        await store?.close();
      })().then(done, (error: unknown) => {
        node.error(asLinkVisualError(error).message);
        done();
      });
    });
  }

  RED.nodes.registerType<OnEventNode, NodeDef>('link-visual-on-event', OnEventNodeConstructor);
};
