/** Public API of node-red-contrib-link-visual's library: client, catalog, signing and the emulator. */
export { LinkVisualClient } from './client/client';
export type { LinkVisualClientOptions, CallOptions, CallResult, BackoffEvent } from './client/client';
export type { AuthOptions, SessionSnapshot } from './client/session';
export type { ThrottleOptions } from './client/throttle';
export { regions, isRegionId } from './client/regions';
export type { RegionId } from './client/regions';
export { LinkVisualError } from './gateway/errors';
export type { LinkVisualErrorCode, LinkVisualErrorReason } from './gateway/errors';
export { signRequest, verifySignature, buildStringToSign, contentMd5 } from './gateway/sign';
export type { SignRequestInput, SignatureMethod } from './gateway/sign';
export { operations, operationsByName, operationsByPath, findOperation } from './catalog/operations';
export { validateParams } from './catalog/validate';
export type { Operation, ParamSpec, PagingSpec, OperationGroup } from './catalog/types';
export { PushConnection, pushCredentials, verifyPushCredentials, parsePushMessage, parsePushUrl } from './push';
export type {
  PushConnectionOptions,
  PushConnectionEvents,
  PushConnectionCounts,
  PushReconnectOptions,
  PushSettle,
  PushState,
  PushStateEvent,
  PushCredentials,
  PushCredentialsInput,
  PushPasswordEncoding,
  PushMessage,
  PushMessageKind,
} from './push';
export { startEmulator, EMULATOR_CODES, CLOUD_LIKE_VARIANTS } from './emulator';
export type { EmulatorHandle, EmulatorOptions } from './emulator';
