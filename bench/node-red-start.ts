/**
 * Measure 9 (the last row): Node-RED start time (spawn of red.js → "Started flows") with the
 * package linked and one node of every type it registers, against the same Node-RED without it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, log, notMeasured, oursFirst, paired, startEmulatorProcess, stat, type MeasureResult } from './common';
import { createUserDir, startNodeRed } from './node-red';

const TAB = 'bench-tab';

/** Every node type package.json declares (read at run time, so new nodes are included). */
export function packageNodeTypes(): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } };
  return Object.keys(pkg['node-red'].nodes);
}

export async function measureNodeRedStart(options: { rounds: number }): Promise<MeasureResult> {
  const types = packageNodeTypes();
  const spec = {
    id: 'node-red-start',
    label: 'Node-RED start: with the package vs without',
    name: `Node-RED start with the package and one node of each of its ${types.length} types`,
    unit: 'ms',
    baselineName: 'the same Node-RED without the package',
    goal: { text: '≤ +150 ms', on: 'difference' as const, op: '<=' as const, value: 150 },
    notes: [`spawn of red.js until it prints "Started flows"; types: ${types.join(', ')}`],
  };
  const emulator = await startEmulatorProcess({});
  const downloads = fs.mkdtempSync(path.join(os.tmpdir(), 'lv-bench-downloads-'));
  const nodes: Record<string, unknown>[] = [{ id: TAB, type: 'tab', label: 'bench' }];
  let y = 40;
  for (const type of types) {
    if (type === 'link-visual-config') {
      nodes.push({ id: 'acct', type, name: 'emulator', region: 'custom', endpoint: emulator.url, authMode: 'session', rateLimit: 5, timeout: 10 });
      continue;
    }
    const node: Record<string, unknown> = { id: `n-${type}`, type, z: TAB, name: '', account: 'acct', x: 200, y, wires: [[]] };
    if (type === 'link-visual-download') Object.assign(node, { target: 'file', directory: downloads });
    nodes.push(node);
    y += 40;
  }
  const credentials = { acct: { appKey: emulator.appKey, appSecret: emulator.appSecret, identityId: emulator.identityId, refreshToken: emulator.refreshToken } };
  const withPackage = createUserDir({ withPackage: true, flows: nodes, credentials });
  const without = createUserDir({ withPackage: false, flows: [{ id: TAB, type: 'tab', label: 'bench' }] });
  const times: Record<'ours' | 'base', number[]> = { ours: [], base: [] };
  const cpu: Record<'ours' | 'base', number[]> = { ours: [], base: [] };
  try {
    const once = async (kind: 'ours' | 'base'): Promise<{ wall: number; cpu: number }> => {
      const red = await startNodeRed(kind === 'ours' ? withPackage.dir : without.dir);
      const output = red.output();
      await red.stop();
      if (kind === 'ours') {
        const problems = output.split('\n').filter((line) => /\[(error|warn)\]/.test(line) && /link-visual|Waiting for missing types|type not found|missing types/i.test(line));
        if (problems.length > 0) throw new Error(`Node-RED with the package reported:\n${problems.join('\n')}`);
      }
      return { wall: red.startMs, cpu: red.startCpuMs };
    };
    // Warm-up: the first start of each user directory writes its .config files; the OS caches the modules.
    await once('ours');
    await once('base');
    for (let round = 0; round < options.rounds; round += 1) {
      const order: ('ours' | 'base')[] = oursFirst(round) ? ['ours', 'base'] : ['base', 'ours'];
      for (const kind of order) {
        const { wall, cpu: cpuMs } = await once(kind);
        times[kind].push(wall);
        cpu[kind].push(cpuMs);
      }
      log(
        `Node-RED start round ${round + 1}/${options.rounds}: with the package ${Math.round(times.ours[round])} ms (CPU ${Math.round(cpu.ours[round])} ms), ` +
          `without ${Math.round(times.base[round])} ms (CPU ${Math.round(cpu.base[round])} ms)`,
      );
    }
  } catch (error) {
    return notMeasured(spec, (error as Error).message.split('\n').slice(0, 4).join(' | '));
  } finally {
    withPackage.remove();
    without.remove();
    fs.rmSync(downloads, { recursive: true, force: true });
    await emulator.close();
  }
  const cpuDifference = stat(cpu.ours.map((value, index) => value - cpu.base[index]));
  const cpuNote = Number.isFinite(cpuDifference.median)
    ? [
        `CPU time of Node-RED until "Started flows" (less sensitive to a busy machine than wall time): with the package ${Math.round(stat(cpu.ours).median)} ms, ` +
          `without ${Math.round(stat(cpu.base).median)} ms, difference +${Math.round(cpuDifference.median)} ms [${Math.round(cpuDifference.min)}…${Math.round(cpuDifference.max)}]`,
      ]
    : [];
  return paired({ ...spec, notes: [...spec.notes, ...cpuNote], extra: { cpuMs: { ours: stat(cpu.ours), baseline: stat(cpu.base), difference: cpuDifference } } }, times.ours, times.base);
}
