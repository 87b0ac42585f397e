/** An emulator with a camera that records events, a client on it, and control API shortcuts. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { LinkVisualClient } from '../../lib/client/client';
import { startEmulator, type EmulatorHandle, type EmulatorOptions } from '../../lib/emulator';
import { bodySlices, mp4Body } from '../../lib/emulator/media';

export const CAMERA = 'demo-camera-1';

export interface RecordingWorld {
  readonly emulator: EmulatorHandle;
  readonly client: LinkVisualClient;
  /** Raises an event in the past: its recording exists at once (or after `visibleAfterMs`). */
  record(options?: { agoMs?: number; visibleAfterMs?: number }): Promise<{ fileName: string; eventId: string; time: number }>;
  control(route: string, body?: unknown): Promise<Record<string, unknown>>;
  /** Calls of one API path so far. */
  calls(apiPath: string): number;
  close(): Promise<void>;
}

/** Starts an emulator, binds an event plan to the demo camera and opens a client. */
export async function startRecordingWorld(options: EmulatorOptions = {}, clientOptions: { rateLimit?: number } = {}): Promise<RecordingWorld> {
  const emulator = await startEmulator({ host: '127.0.0.1', port: 0, transcodeMs: 200, ...options });
  const client = new LinkVisualClient({
    endpoint: emulator.url,
    appKey: emulator.appKey,
    appSecret: emulator.appSecret,
    auth: { mode: 'session', identityId: emulator.identityId, refreshToken: emulator.refreshToken },
    rateLimit: clientOptions.rateLimit ?? 100,
  });
  const plan = (await client.call('setEventPlan', { name: 'clips', allDay: 1, eventTypeList: [1], recordDuration: 20, preRecordDuration: 0 })) as { planId: string };
  await client.call('bindEventPlan', { iotId: CAMERA, planId: plan.planId });
  const control = async (route: string, body?: unknown) => {
    const response = await fetch(`${emulator.url}/_emulator/${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body ?? {}),
    });
    const json = (await response.json()) as Record<string, unknown>;
    assert.equal(response.status, 200, `control ${route}: ${JSON.stringify(json)}`);
    return json;
  };
  let offset = 0;
  return {
    emulator,
    client,
    control,
    async record(recordOptions = {}) {
      offset += 60_000; // one minute apart, so every recording has its own name
      const time = Date.now() - (recordOptions.agoMs ?? 3_600_000) - offset;
      const event = await control('events', { iotId: CAMERA, eventTime: time, visibleAfterMs: recordOptions.visibleAfterMs ?? 0 });
      const fileNames = event.fileNames as string[];
      assert.equal(fileNames.length, 1);
      return { fileName: fileNames[0], eventId: event.eventId as string, time };
    },
    calls: (apiPath) => emulator.stats().byPath[apiPath] ?? 0,
    async close() {
      await client.close();
      await emulator.close();
    },
  };
}

/** SHA-256 of the MP4 the emulator serves for `size`, computed from its slices (never held whole). */
export function expectedSha256(size: number): string {
  const body = mp4Body(size);
  const hash = createHash('sha256');
  for (const slice of bodySlices(body, 0, body.size - 1)) hash.update(slice);
  return hash.digest('hex');
}

/** SHA-256 of a file, streamed. */
export async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Every file under `dir`, relative, sorted. */
export function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((name) => fs.statSync(path.join(dir, name)).isFile())
    .map((name) => name.split(path.sep).join('/'))
    .sort();
}

/** Open TCP sockets of this process (client and emulator sides alike). */
export function openSockets(): number {
  return process.getActiveResourcesInfo().filter((name) => name === 'TCPSocketWrap').length;
}
