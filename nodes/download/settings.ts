import path from 'node:path';
import { LinkVisualError } from '../../lib/gateway/errors';
import type { DownloadTarget } from '../../lib/media/download';
import { OVERWRITE_POLICIES, type OverwritePolicy } from '../../lib/media/part-file';
import { DEFAULT_PATH_TEMPLATE, checkPathTemplate } from '../../lib/media/path-template';
import type { NodeDef } from '../shared/red';

/** A download node's editor settings, read and checked, with their defaults. */
export interface DownloadSettings {
  readonly target: DownloadTarget;
  readonly concurrency: number;
  readonly transcodeTimeoutMs: number;
  readonly stallTimeoutMs: number;
  readonly retries: number;
}

export const DEFAULTS = {
  target: 'file',
  path: DEFAULT_PATH_TEMPLATE,
  overwrite: 'never' as OverwritePolicy,
  maxBufferMB: 50,
  concurrency: 1,
  transcodeTimeout: 300,
  stallTimeout: 30,
  retries: 3,
} as const;

function invalid(field: string, message: string): LinkVisualError {
  return new LinkVisualError('INVALID_PARAMS', `${field} ${message}`, { problems: [{ path: field, message }] });
}

/** A number setting: blank gives the default; otherwise it must lie in [min, max]. */
function numberSetting(def: NodeDef, field: string, fallback: number, min: number, max: number, integer: boolean): number {
  const raw = def[field];
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) return fallback;
  const value = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw invalid(field, `must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}`);
  }
  return value;
}

function text(def: NodeDef, field: string): string {
  const raw = def[field];
  return typeof raw === 'string' ? raw.trim() : '';
}

/**
 * Reads the node's settings. A relative `directory` is taken from Node-RED's `fileWorkingDirectory`
 * setting (as the core file nodes do), else from the working directory of the process.
 */
export function readDownloadSettings(def: NodeDef, workingDirectory: string): DownloadSettings {
  const kind = text(def, 'target') || DEFAULTS.target;
  if (kind !== 'file' && kind !== 'buffer') throw invalid('target', 'must be "file" or "buffer"');
  const common = {
    concurrency: numberSetting(def, 'concurrency', DEFAULTS.concurrency, 1, 16, true),
    transcodeTimeoutMs: numberSetting(def, 'transcodeTimeout', DEFAULTS.transcodeTimeout, 1, 86_400, false) * 1000,
    stallTimeoutMs: numberSetting(def, 'stallTimeout', DEFAULTS.stallTimeout, 1, 3600, false) * 1000,
    retries: numberSetting(def, 'retries', DEFAULTS.retries, 0, 20, true),
  };
  if (kind === 'buffer') {
    const maxBufferMB = numberSetting(def, 'maxBufferMB', DEFAULTS.maxBufferMB, 0.001, 2048, false);
    return { ...common, target: { kind: 'buffer', maxBytes: Math.floor(maxBufferMB * 1_000_000) } };
  }
  const directory = text(def, 'directory');
  if (directory === '') throw invalid('directory', 'is required when saving to files');
  const template = checkPathTemplate(text(def, 'path') || DEFAULTS.path);
  const overwrite = (text(def, 'overwrite') || DEFAULTS.overwrite) as OverwritePolicy;
  if (!OVERWRITE_POLICIES.includes(overwrite)) throw invalid('overwrite', `must be one of ${OVERWRITE_POLICIES.join(', ')}`);
  return { ...common, target: { kind: 'file', directory: path.resolve(workingDirectory, directory), path: template, overwrite } };
}
