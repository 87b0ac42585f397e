/**
 * ui-link-visual-events: a FlowFuse Dashboard 2 widget showing camera events as a live timeline of
 * cards with pictures and playable clips. Fed by link-visual-on-event messages, or link-visual-push
 * alarms whose events it looks up with its account; pictures and clips reach the browser through
 * media-routes.ts. Dashboard 2 is optional: without it the node type still
 * loads, and a node whose group is missing reports that in its status.
 */
import type { LinkVisualClient } from '../../lib/client/client';
import { listDeviceNames } from '../../lib/events/device-names';
import { listAccountDevices } from '../../lib/events/account-devices';
import { EventTimeline, recentEvents } from '../../lib/events/event-timeline';
import { eventsOfPush, type PushedAlarm } from '../../lib/events/pushed-event-lookup';
import { LinkVisualError } from '../../lib/gateway/errors';
import { EventMediaRelay } from '../../lib/media/event-media-relay';
import type { ConfigNode } from '../config/account';
import { asLinkVisualError, messageError, nodeError } from '../shared/node-error';
import type { Node, NodeAPI, NodeDef, NodeMessage } from '../shared/red';
import { installMediaRoutes, ROUTE_PREFIX, type HttpApp, type TimelineMedia } from './media-routes';
import { installRecordingRoutes, type RecordingsAccess } from './recording-routes';
import { timelineSettings } from './settings';
import { timelineInput } from './timeline-input';
import { announceWidget, widgetSource, WIDGET_TYPE } from './widget-source';

/** The parts of a Dashboard 2 ui-group and ui-base node this widget uses. */
interface DashboardGroup {
  register(node: Node, config: NodeDef, events: WidgetEvents): void;
  getBase(): DashboardBase;
}
interface DashboardBase {
  stores: { data: { save(base: DashboardBase, node: Node, msg: NodeMessage): void } };
  emit(event: string, msg: NodeMessage, node: Node): void;
}
interface WidgetEvents {
  beforeSend(msg: NodeMessage): NodeMessage;
  onInput(msg: NodeMessage, send: (msg: NodeMessage) => void): void;
}

// Names of cameras are looked up again at most this often (an event of an unnamed camera asks).
const NAMES_REFRESH_MS = 5 * 60_000;

export = function register(RED: NodeAPI): void {
  const deployed = new Map<string, TimelineMedia>();
  const withAccount = new Map<string, RecordingsAccess>();
  const httpNode = (RED as unknown as { httpNode?: HttpApp }).httpNode;
  if (httpNode) {
    installMediaRoutes(httpNode, (id) => deployed.get(id));
    installRecordingRoutes(httpNode, (id) => withAccount.get(id));
  }
  const source = widgetSource();
  const nodeRoot = String(RED.settings.httpNodeRoot ?? '/').replace(/\/+$/, '');

  function TimelineNodeConstructor(this: Node, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const group = typeof def.group === 'string' ? (RED.nodes.getNode(def.group) as DashboardGroup | null) : null;
    const account = typeof def.account === 'string' && def.account !== '' ? (RED.nodes.getNode(def.account) as ConfigNode | null) : null;
    let settings;
    try {
      settings = timelineSettings(def);
    } catch (error) {
      const failure = asLinkVisualError(error);
      node.status({ fill: 'red', shape: 'ring', text: failure.message });
      node.error(nodeError(failure));
      return;
    }
    const { devices, maxEvents, historyHours } = settings;
    if (!group || typeof group.register !== 'function') {
      node.status({ fill: 'red', shape: 'ring', text: 'no dashboard group (install @flowfuse/node-red-dashboard)' });
      return;
    }
    const base = group.getBase();
    const timeline = new EventTimeline(maxEvents);
    const usable = account && !account.account.configError ? account.account : undefined;
    const client = usable ? (): Promise<LinkVisualClient> => usable.getClient() : undefined;
    const relay = client ? new EventMediaRelay({ client, maxEntries: maxEvents * 2 }) : undefined;
    let names = new Map<string, string>();
    let namesAskedAt = -Infinity;
    let closed = false;
    const aborter = new AbortController();

    const uiMessage = (): NodeMessage => ({ payload: { cards: timeline.cards() } });
    // Cards changed outside a message (names learnt, events looked up): kept for new browsers and sent to open ones.
    const publish = (): void => {
      const msg = uiMessage();
      base.stores.data.save(base, node, msg);
      base.emit(`msg-input:${node.id}`, msg, node);
    };
    const showCount = () => node.status({ fill: 'green', shape: 'dot', text: `${timeline.size} event${timeline.size === 1 ? '' : 's'}` });

    // The account's cameras and their names, asked at most every 5 min (one request at a time).
    let namesAsked: Promise<Map<string, string>> | undefined;
    const loadNames = (): Promise<Map<string, string>> => {
      if (!client) return Promise.resolve(names);
      if (namesAsked && Date.now() - namesAskedAt < NAMES_REFRESH_MS) return namesAsked;
      namesAskedAt = Date.now();
      namesAsked = client().then((c) => listDeviceNames(c, aborter.signal));
      namesAsked.catch(() => (namesAskedAt = -Infinity)); // a failure is asked again next time
      return namesAsked;
    };
    // Camera names for the cards, asked when an event of an unnamed camera comes.
    const learnNames = (iotId: string): void => {
      if (!client || names.has(iotId) || Date.now() - namesAskedAt < NAMES_REFRESH_MS) return;
      loadNames()
        .then((found) => {
          if (closed) return;
          names = found;
          timeline.nameDevices(names);
          publish();
        })
        .catch((error: unknown) => {
          if (!closed) node.warn(`camera names: ${asLinkVisualError(error).message}`);
        });
    };

    const watched = (iotId: string): boolean => devices.length === 0 || devices.includes(iotId);

    // A pushed alarm names no eventId: its events are read with the account, one lookup per camera at a time
    // (a push that comes meanwhile is looked up once the running lookup ends).
    type Lookup = { next?: { alarm: PushedAlarm; msg: NodeMessage } };
    const lookups = new Map<string, Lookup>();
    const lookUp = (alarm: PushedAlarm, msg: NodeMessage): void => {
      if (!client) {
        const failure = new LinkVisualError('CONFIG', 'a pushed alarm carries no event: choose the widget\'s Account so it can look the event up, or wire link-visual-on-event here');
        node.error(nodeError(failure), { ...msg, error: messageError(failure) });
        return;
      }
      const running = lookups.get(alarm.iotId);
      if (running) {
        running.next = { alarm, msg };
        return;
      }
      const state: Lookup = {};
      lookups.set(alarm.iotId, state);
      client()
        .then((c) => eventsOfPush(c, alarm, { signal: aborter.signal, isKnown: (event) => timeline.has(event.iotId, event.eventId) }))
        .then((found) => {
          if (closed || found.length === 0) return;
          for (const event of found) timeline.add(event, { deviceName: names.get(event.iotId) });
          relay?.retain(timeline.cards().map((card) => card.key));
          learnNames(alarm.iotId);
          publish();
          showCount();
        })
        .catch((error: unknown) => {
          if (closed) return;
          const failure = asLinkVisualError(error);
          node.error(nodeError(failure), { ...msg, error: messageError(failure) });
        })
        .finally(() => {
          lookups.delete(alarm.iotId);
          if (!closed && state.next) lookUp(state.next.alarm, state.next.msg);
        });
    };

    const events: WidgetEvents = {
      // Turns the incoming event message into what the browsers get: the cards only (no Buffers, no URLs).
      beforeSend(msg) {
        const input = timelineInput(msg);
        if (input.kind === 'reset') {
          timeline.clear();
          relay?.clear();
        } else if (input.kind === 'event') {
          const { event } = input;
          if (watched(event.iotId)) {
            const image = Buffer.isBuffer(msg.image) ? { buffer: msg.image, contentType: typeof msg.contentType === 'string' ? msg.contentType : 'image/jpeg' } : undefined;
            timeline.add(event, { deviceName: names.get(event.iotId), image });
            relay?.retain(timeline.cards().map((card) => card.key));
            learnNames(event.iotId);
          }
        } else if (input.kind === 'push') {
          if (watched(input.alarm.iotId)) lookUp(input.alarm, msg);
        } else if (input.kind === 'unreadable') {
          const failure = new LinkVisualError('INVALID_PARAMS', 'msg.payload is not a camera event: it needs iotId and eventId (wire link-visual-on-event or link-visual-push here)');
          node.error(nodeError(failure), { ...msg, error: messageError(failure) });
        } // other pushes (status, properties) are not events: nothing to show
        showCount();
        return uiMessage();
      },
      onInput(msg) {
        base.stores.data.save(base, node, msg);
      },
    };

    // The browser's URLs of this node's media; the dashboard hands the props to the widget.
    const config: NodeDef = { ...def, mediaRoot: `${nodeRoot}${ROUTE_PREFIX}/${encodeURIComponent(node.id)}`, clips: !!relay };
    delete config.devices;
    announceWidget(base, source);
    group.register(node, config, events);
    deployed.set(node.id, { entry: (key) => timeline.get(key), relay });
    if (client && relay) {
      withAccount.set(node.id, {
        client,
        relay,
        cameras: async () => {
          const known = await loadNames();
          const ids = devices.length > 0 ? devices : [...known.keys()];
          return ids.map((iotId) => ({ iotId, name: known.get(iotId) ?? iotId }));
        },
      });
    }
    // A redeploy starts an empty timeline: the browsers must not keep cards whose media this node no longer knows.
    base.stores.data.save(base, node, uiMessage());
    if (usable) usable.register(node);
    showCount();

    // With an account, the timeline starts with the cameras' recent events (event/query, all pages).
    if (client && historyHours > 0) {
      node.status({ fill: 'blue', shape: 'ring', text: 'loading recent events' });
      (async () => {
        const c = await client();
        const ids = devices.length > 0 ? devices : await listAccountDevices(c, aborter.signal);
        const [events, known] = await Promise.all([recentEvents(c, ids, historyHours * 3600_000, maxEvents, aborter.signal), loadNames()]);
        if (closed) return;
        names = known;
        for (const event of events) timeline.add(event, { deviceName: names.get(event.iotId) });
        publish();
        showCount();
      })().catch((error: unknown) => {
        if (closed) return;
        const failure = asLinkVisualError(error);
        node.status({ fill: 'yellow', shape: 'ring', text: `recent events: ${failure.code}` });
        node.error(nodeError(failure), { payload: null, error: messageError(failure) });
      });
    }

    node.on('close', (_removed: boolean, done: () => void) => {
      closed = true;
      aborter.abort();
      deployed.delete(node.id);
      withAccount.delete(node.id);
      usable?.deregister(node);
      relay?.clear();
      timeline.clear();
      done();
    });
  }

  RED.nodes.registerType<Node, NodeDef>(WIDGET_TYPE, TimelineNodeConstructor);
};
