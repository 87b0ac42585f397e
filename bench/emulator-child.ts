/**
 * The emulator in its own process, so that it is never measured together with the code under test.
 * Started by bench/common.ts `startEmulatorProcess` with its options as JSON in argv[2]; over IPC it
 * answers `{cmd: 'cpu'}` with its own `process.cpuUsage()` (µs) and stops on `{cmd: 'close'}`.
 */
import { startEmulator, type EmulatorOptions } from '../lib/emulator';

interface Request {
  readonly cmd: 'cpu' | 'close';
  readonly seq: number;
}

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as EmulatorOptions;
  const emulator = await startEmulator({ ...options, host: '127.0.0.1', port: 0, log: () => undefined });
  const send = (message: unknown) => process.send?.(message);
  send({
    ready: true,
    url: emulator.url,
    appKey: emulator.appKey,
    appSecret: emulator.appSecret,
    identityId: emulator.identityId,
    refreshToken: emulator.refreshToken,
    amqpUrl: emulator.amqpUrl,
    cameras: emulator.cameras.length,
  });
  process.on('message', (request: Request) => {
    if (request.cmd === 'cpu') {
      const usage = process.cpuUsage();
      send({ seq: request.seq, cpuMicros: usage.user + usage.system, rss: process.memoryUsage.rss() });
    } else if (request.cmd === 'close') {
      emulator.close().then(
        () => {
          send({ seq: request.seq, closed: true });
          process.disconnect?.();
        },
        () => process.exit(1),
      );
    }
  });
  process.on('disconnect', () => {
    void emulator.close().finally(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`bench emulator: ${String(error)}\n`);
  process.exit(1);
});
