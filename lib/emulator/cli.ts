#!/usr/bin/env node
/**
 * link-visual-emulator: runs the local Link Visual emulator until SIGINT/SIGTERM (then saves the
 * state file, if any, and exits 0). Bad flags exit 2; a failed start exits 1.
 */
import type { EmulatorOptions } from './options';
import { startEmulator, type EmulatorHandle } from './server';

export const DEFAULT_PORT = 8787;

export const USAGE = `Usage: link-visual-emulator [--port N] [--host H] [--cameras N] [--state FILE] [--time-scale X]
                            [--demo-events MS] [--rotate-refresh-tokens] [--transcode-ms MS]
                            [--mp4-size BYTES] [--app-key KEY] [--app-secret SECRET]
                            [--event-order newest|oldest] [--numbers string|number]
                            [--event-time text|ms] [--token-error-code 401|460] [--one-login]
                            [--vod-format mp4|hls]
                            [--amqp-port N] [--amqp-tls] [--amqp-password-encoding base64|hex|either]
                            [--amqp-property-report MS] [--help]

  --port N                 TCP port (default ${DEFAULT_PORT}; 0 picks a free one)
  --host H                 interface to listen on (default 127.0.0.1)
  --cameras N              number of demo cameras demo-camera-1..N (default 2)
  --state FILE             keep the world in FILE (JSON, written atomically) across restarts
  --time-scale X           simulated seconds per real second (default 1)
  --demo-events MS         every camera raises a motion event every MS real milliseconds
  --rotate-refresh-tokens  rotate the refresh token on every checkOrRefreshSession
  --transcode-ms MS        how long a vod/cloudfile/get transcode takes (default 3000)
  --mp4-size BYTES         size of the generated MP4 files (default: the small fixture)
  --app-key KEY, --app-secret SECRET   gateway credentials (default demo-app-key / demo-app-secret)
  Answer variants of the real cloud (docs/protocol.md §8; defaults are the most cloud-like):
  --event-order O          event/query lists newest (default) or oldest first
  --numbers F              transcode status/progress and token lifetimes as string (default) or number
  --event-time F           event times as local text + eventTimeUTC (default) or ms numbers
  --token-error-code C     code for an expired or unknown token: 401 (default) or 460
  --one-login              a new login ends the identity's older sessions
  --vod-format F           recordings play (vod/getbyeventid, vod/getbyfilename) as an mp4 file (default)
                           or an hls playlist of MPEG-TS segments; downloads stay MP4
  AMQP data sync (push; docs/protocol.md §10, lib/emulator/amqp.ts):
  --amqp-port N            serve the AMQP 1.0 data-sync endpoint on port N (0 picks a free one; default none)
  --amqp-tls               serve it as amqps:// with a self-signed certificate made at start (printed)
  --amqp-password-encoding E  SASL passwords accepted: base64 (default), hex or either
  --amqp-property-report MS   every MS real milliseconds, a property message for every online camera
  --help                   show this help`;

type MutableOptions = { -readonly [K in keyof EmulatorOptions]: EmulatorOptions[K] };

/** The parsed command line, or why it is refused. */
export type ParsedArgs = { readonly help: true } | { readonly help: false; readonly options: EmulatorOptions } | { readonly error: string };

function number(flag: string, text: string, integer: boolean, min: number): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min) {
    throw new Error(`${flag} needs ${integer ? 'an integer' : 'a number'} ≥ ${min}, got "${text}"`);
  }
  return value;
}

function choice<T extends string>(flag: string, text: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(text)) throw new Error(`${flag} needs one of ${allowed.join(', ')}, got "${text}"`);
  return text as T;
}

/** Parses argv (without node and the script), by hand. */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const options: MutableOptions = { port: DEFAULT_PORT };
  try {
    for (let index = 0; index < argv.length; index += 1) {
      const arg = argv[index];
      if (arg === '--help' || arg === '-h') return { help: true };
      const equals = arg.indexOf('=');
      const flag = arg.startsWith('--') && equals > 0 ? arg.slice(0, equals) : arg;
      const value = (): string => {
        if (equals > 0 && arg.startsWith('--')) return arg.slice(equals + 1);
        const next = argv[index + 1];
        if (next === undefined || next.startsWith('--')) throw new Error(`${flag} needs a value`);
        index += 1;
        return next;
      };
      switch (flag) {
        case '--port':
          options.port = number(flag, value(), true, 0);
          if (options.port > 65535) throw new Error('--port must be at most 65535');
          break;
        case '--host':
          options.host = value();
          break;
        case '--cameras':
          options.cameras = number(flag, value(), true, 0);
          break;
        case '--state':
          options.state = value();
          break;
        case '--time-scale':
          options.timeScale = number(flag, value(), false, Number.MIN_VALUE);
          break;
        case '--demo-events':
          options.demoEvents = number(flag, value(), true, 10);
          break;
        case '--transcode-ms':
          options.transcodeMs = number(flag, value(), true, 0);
          break;
        case '--mp4-size':
          options.mp4Size = number(flag, value(), true, 0);
          break;
        case '--app-key':
          options.appKey = value();
          break;
        case '--app-secret':
          options.appSecret = value();
          break;
        case '--event-order':
          options.eventOrder = choice(flag, value(), ['newest', 'oldest'] as const);
          break;
        case '--numbers':
          options.numberForm = choice(flag, value(), ['string', 'number'] as const);
          break;
        case '--event-time':
          options.eventTimeForm = choice(flag, value(), ['text', 'ms'] as const);
          break;
        case '--token-error-code':
          options.tokenErrorCode = Number(choice(flag, value(), ['401', '460'] as const)) as 401 | 460;
          break;
        case '--vod-format':
          options.vodFormat = choice(flag, value(), ['mp4', 'hls'] as const);
          break;
        case '--one-login':
          if (equals > 0) throw new Error('--one-login takes no value');
          options.oneLogin = true;
          break;
        case '--amqp-port':
          options.amqpPort = number(flag, value(), true, 0);
          if (options.amqpPort > 65535) throw new Error('--amqp-port must be at most 65535');
          break;
        case '--amqp-tls':
          if (equals > 0) throw new Error('--amqp-tls takes no value');
          options.amqpTls = true;
          break;
        case '--amqp-password-encoding':
          options.amqpPasswordEncoding = choice(flag, value(), ['base64', 'hex', 'either'] as const);
          break;
        case '--amqp-property-report':
          options.amqpPropertyReportMs = number(flag, value(), true, 100);
          break;
        case '--rotate-refresh-tokens':
          if (equals > 0) throw new Error('--rotate-refresh-tokens takes no value');
          options.rotateRefreshTokens = true;
          break;
        default:
          throw new Error(`unknown argument "${arg}"`);
      }
    }
  } catch (error) {
    return { error: (error as Error).message };
  }
  if ((options.amqpTls || options.amqpPasswordEncoding || options.amqpPropertyReportMs !== undefined) && options.amqpPort === undefined) {
    return { error: '--amqp-tls, --amqp-password-encoding and --amqp-property-report need --amqp-port' };
  }
  return { help: false, options };
}

async function main(): Promise<void> {
  const parsed = parseArgs(process.argv.slice(2));
  if ('error' in parsed) {
    process.stderr.write(`link-visual-emulator: ${parsed.error}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (parsed.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  let emulator: EmulatorHandle;
  try {
    emulator = await startEmulator(parsed.options);
  } catch (error) {
    process.stderr.write(`link-visual-emulator: cannot start: ${(error as Error).message}\n`);
    process.exitCode = error instanceof RangeError ? 2 : 1;
    return;
  }
  const lines = [
    `Link Visual emulator listening on ${emulator.url}`,
    `  appKey        ${emulator.appKey}`,
    `  appSecret     ${emulator.appSecret}`,
    `  identityId    ${emulator.identityId}`,
    `  refreshToken  ${emulator.refreshToken}`,
    `  authCode      ${emulator.authCode}`,
    `  projectId     ${emulator.projectId}`,
    `  cameras       ${emulator.cameras.join(', ') || '(none)'}`,
    `  control API   ${emulator.url}/_emulator/`,
    ...(emulator.amqpUrl ? [`  AMQP push     ${emulator.amqpUrl} (consumer group: any; default the appKey)`] : []),
    `  state         ${parsed.options.state ?? '(in memory)'}`,
    `  time scale    ${emulator.clock.timeScale}`,
    'Press Ctrl+C to stop.',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (emulator.amqpCa) process.stdout.write(`AMQP TLS certificate (trust it as ca):\n${emulator.amqpCa}`);
  const running = emulator;
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      process.stderr.write(`link-visual-emulator: ${signal} again, exiting now\n`);
      process.exit(1);
    }
    stopping = true;
    process.stdout.write(`Stopping (${signal})…\n`);
    running.close().then(
      () => {
        process.stdout.write('Stopped.\n');
        process.exitCode = 0;
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      },
      (error: unknown) => {
        process.stderr.write(`link-visual-emulator: stopping failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (require.main === module) void main();
