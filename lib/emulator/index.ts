/** The local Link Visual emulator: `startEmulator(options)` and its types. */
export { startEmulator, type EmulatorHandle } from './server';
export { CLOUD_LIKE_VARIANTS, type EmulatorOptions, type EventOrder, type NumberForm, type EventTimeForm, type TokenErrorCode, type VodFormat } from './options';
export { EMULATOR_CODES, type EmulatorCodeName } from './codes';
export type { StatsSnapshot, PushStats } from './stats';
export type { PushSettings, PushBodyForm } from './push-settings';
export type { AmqpPasswordEncoding } from './options';
