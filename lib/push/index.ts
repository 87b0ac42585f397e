/** The AMQP data-sync (push) client: credentials, message parsing and the reconnecting consumer. */
export {
  PushConnection,
  parsePushUrl,
  isLoopbackHost,
  type PushConnectionOptions,
  type PushConnectionCounts,
  type PushConnectionEvents,
  type PushEndpoint,
  type PushReconnectOptions,
  type PushSettle,
  type PushState,
  type PushStateEvent,
} from './connection';
export {
  pushCredentials,
  verifyPushCredentials,
  parsePushUsername,
  type PushCredentials,
  type PushCredentialsInput,
  type PushPasswordEncoding,
  type VerifiedPushCredentials,
  type RefusedPushCredentials,
  type VerifyPushOptions,
} from './credentials';
export { parsePushMessage, pushTime, type PushMessage, type PushMessageInput, type PushMessageKind } from './messages';
export { PushHub, type PushHubHealth, type PushListener } from './push-hub';
