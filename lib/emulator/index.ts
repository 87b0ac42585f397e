/** The local Link Visual emulator: `startEmulator(options)` and its types. */
export { startEmulator, type EmulatorHandle } from './server';
export type { EmulatorOptions } from './options';
export { EMULATOR_CODES, type EmulatorCodeName } from './world';
export type { StatsSnapshot } from './stats';
