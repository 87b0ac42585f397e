/**
 * Measures 7 and 8: download of a 200 MiB recording. Ours: `downloadRecording` (the engine of the
 * `link-visual-download` node: transfer to `<name>.part`, MP4 check, rename) in its own process, timed
 * from the moment it has the URL; baseline: `curl` on the same URL (its own time_total) followed by
 * `sync <file>` (the durability we promise: every byte on disk before the file is in place), plain
 * curl reported beside it. Also the peak RSS growth of our process during the download.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LinkVisualClient } from '../lib/client/client';
import { waitForDownloadUrl } from '../lib/media/transcode';
import { Ipc, firstMessage, forkTs, log, notMeasured, oursFirst, paired, startEmulatorProcess, stat, withEmulatorCpu, type MeasureResult } from './common';

const SIZE = 200 * 1024 * 1024;
const CAMERA = 'demo-camera-1';
const MB = 1024 * 1024;

function curl(url: string, file: string): Promise<{ seconds: number; size: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn('curl', ['-sS', '--noproxy', '*', '-o', file, '-w', '%{http_code} %{size_download} %{time_total}', url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const [status, size, seconds] = out.trim().split(' ');
      if (code !== 0 || status !== '200') return reject(new Error(`curl exited ${code}, HTTP ${status}: ${err.trim()}`));
      resolve({ seconds: Number(seconds), size: Number(size) });
    });
  });
}

function curlAvailable(): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('curl', ['--version'], { stdio: 'ignore' });
    child.on('error', () => resolve(false));
    child.on('close', (code) => resolve(code === 0));
  });
}

export async function measureDownload(options: { rounds: number }): Promise<MeasureResult[]> {
  const speedSpec = {
    id: 'download-speed',
    label: 'download 200 MiB vs curl',
    name: 'download of a 200 MiB recording (downloadRecording to a file)',
    unit: 'MiB/s',
    baselineName: 'curl on the same URL, then `sync` of its file',
    goal: { text: '≥ 0.9×', on: 'ratio' as const, op: '>=' as const, value: 0.9 },
    notes: [] as string[],
  };
  const rssSpec = {
    id: 'download-rss',
    label: 'download 200 MiB: RSS growth',
    name: 'download of a 200 MiB recording: peak RSS growth of the downloading process',
    unit: 'MiB',
    baselineName: '—',
    goal: { text: '< 50 MiB (worst round)', on: 'oursMax' as const, op: '<' as const, value: 50 },
    notes: [] as string[],
  };
  if (!(await curlAvailable())) return [notMeasured(speedSpec, 'curl is not installed'), notMeasured(rssSpec, 'no comparison run without curl')];

  const emulator = await startEmulatorProcess({ mp4Size: SIZE, transcodeMs: 0 });
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'lv-bench-download-'));
  const client = new LinkVisualClient({
    endpoint: emulator.url,
    appKey: emulator.appKey,
    appSecret: emulator.appSecret,
    auth: { mode: 'session', identityId: emulator.identityId, refreshToken: emulator.refreshToken },
  });
  const child = forkTs('download-child.ts', [JSON.stringify({ ...emulator, directory })], { execArgv: ['--expose-gc'] });
  const ipc = new Ipc(child);
  const ours: number[] = [];
  const theirs: number[] = [];
  const plainCurl: number[] = [];
  const rss: number[] = [];
  const fsyncShare: number[] = [];
  const emulatorShare: { ours: number[]; curl: number[] } = { ours: [], curl: [] };
  try {
    await firstMessage(child, 'ready');
    // A recording: an event plan on the camera, one event an hour ago (its clip exists at once).
    const plan = (await client.call('setEventPlan', { name: 'bench', allDay: 1, eventTypeList: [1], recordDuration: 20, preRecordDuration: 0 })) as { planId: string };
    await client.call('bindEventPlan', { iotId: CAMERA, planId: plan.planId });
    const response = await fetch(`${emulator.url}/_emulator/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ iotId: CAMERA, eventTime: Date.now() - 3_600_000 }),
    });
    const event = (await response.json()) as { fileNames?: string[] };
    const fileName = event.fileNames?.[0];
    if (!fileName) throw new Error(`the emulator made no recording: ${JSON.stringify(event)}`);
    const url = await waitForDownloadUrl(client, CAMERA, fileName, { deadline: Date.now() + 60_000, maxPollMs: 50 });

    // Each timed run starts with no dirty pages of the previous one waiting to be written back.
    const settle = () => spawnSync('sync', { stdio: 'ignore' });
    const runOurs = async () => {
      settle();
      const { value, emulatorCpuShare } = await withEmulatorCpu(emulator, () => ipc.ask({ cmd: 'download', iotId: CAMERA, fileName }));
      if (Number(value.size) !== SIZE) throw new Error(`ours downloaded ${String(value.size)} bytes, not ${SIZE}`);
      ours.push(SIZE / MB / (Number(value.transferMs) / 1000));
      rss.push(Number(value.rssGrowth) / MB);
      fsyncShare.push(Number(value.syncMs) / Number(value.transferMs));
      emulatorShare.ours.push(emulatorCpuShare);
    };
    const runCurl = async () => {
      settle();
      const file = path.join(directory, 'curl.mp4');
      const { value, emulatorCpuShare } = await withEmulatorCpu(emulator, () => curl(url, file));
      const syncStarted = performance.now();
      execFileSync('sync', [file]); // coreutils: fsync of that one file
      const syncSeconds = (performance.now() - syncStarted) / 1000;
      fs.rmSync(file, { force: true });
      if (value.size !== SIZE) throw new Error(`curl downloaded ${value.size} bytes, not ${SIZE}`);
      theirs.push(SIZE / MB / (value.seconds + syncSeconds));
      plainCurl.push(SIZE / MB / value.seconds);
      emulatorShare.curl.push(emulatorCpuShare);
    };
    for (let warm = 0; warm < 2; warm += 1) {
      await runOurs(); // warm-up: JIT on both sides, the page cache
      await runCurl();
    }
    ours.length = 0;
    theirs.length = 0;
    plainCurl.length = 0;
    rss.length = 0;
    fsyncShare.length = 0;
    emulatorShare.ours.length = 0;
    emulatorShare.curl.length = 0;
    for (let round = 0; round < options.rounds; round += 1) {
      if (oursFirst(round)) {
        await runOurs();
        await runCurl();
      } else {
        await runCurl();
        await runOurs();
      }
      log(
        `download round ${round + 1}/${options.rounds}: ours ${Math.round(ours[round])} MiB/s (RSS +${rss[round].toFixed(1)} MiB, fsync ${Math.round(fsyncShare[round] * 100)} % of the time), ` +
          `curl + sync ${Math.round(theirs[round])} MiB/s (plain curl ${Math.round(plainCurl[round])} MiB/s)`,
      );
    }
  } catch (error) {
    const why = (error as Error).message;
    return [notMeasured(speedSpec, why), notMeasured(rssSpec, why)];
  } finally {
    await ipc.ask({ cmd: 'close' }, 5000).catch(() => undefined);
    if (child.exitCode === null) child.kill('SIGKILL');
    await client.close();
    await emulator.close();
    fs.rmSync(directory, { recursive: true, force: true });
  }
  const share = `emulator CPU (own process) during the transfer: ours ${Math.round(stat(emulatorShare.ours).median * 100)} %, curl ${Math.round(stat(emulatorShare.curl).median * 100)} % of a core`;
  return [
    paired(
      {
        ...speedSpec,
        notes: [
          'timed from the moment the URL is known (after vod/cloudfile/get); includes .part create, MP4 check, fsync, rename',
          `plain curl (no sync): ${Math.round(stat(plainCurl).median)} [${Math.round(stat(plainCurl).min)}–${Math.round(stat(plainCurl).max)}] MiB/s; ours vs plain curl ${stat(ours.map((value, index) => value / plainCurl[index])).median.toFixed(2)}×`,
          `the last fsync of the .part file (after the background flushes) took ${Math.round(stat(fsyncShare).median * 100)} % [${Math.round(stat(fsyncShare).min * 100)}–${Math.round(stat(fsyncShare).max * 100)}] of our download time`,
          share,
        ],
      },
      ours,
      theirs,
    ),
    paired({ ...rssSpec, notes: ['sampled every 10 ms after a GC; median shown, goal judged on the worst round'] }, rss, null),
  ];
}
