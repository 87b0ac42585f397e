/** Every operation's handler, by catalog name (the 38 seed operations and the extra ones). */
import { accountHandlers } from './account-handlers';
import { eventHandlers } from './event-handlers';
import type { Handler } from './handler-context';
import { planHandlers } from './plan-handlers';
import { recordingHandlers } from './recording-handlers';

export const handlers: ReadonlyMap<string, Handler> = new Map(
  Object.entries({ ...planHandlers, ...recordingHandlers, ...eventHandlers, ...accountHandlers }),
);
