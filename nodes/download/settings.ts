import path from 'node:path';
import { LinkVisualError } from '../../lib/gateway/errors';
import type { DownloadTarget } from '../../lib/media/download';
import type { OverwritePolicy } from '../../lib/media/overwrite-policy';
import type { NodeDef } from '../shared/red';
import { readSettings } from '../shared/setting-spec';
import { downloadSettingsSpec } from './settings-spec';

/** A download node's editor settings, read and checked with their spec (settings-spec.ts), with their defaults. */
export interface DownloadSettings {
  readonly target: DownloadTarget;
  readonly concurrency: number;
  readonly transcodeTimeoutMs: number;
  readonly stallTimeoutMs: number;
  readonly retries: number;
}

function invalid(field: string, message: string): LinkVisualError {
  return new LinkVisualError('INVALID_PARAMS', `${field} ${message}`, { problems: [{ path: field, message }] });
}

/**
 * Reads the node's settings. A relative `directory` is taken from Node-RED's `fileWorkingDirectory`
 * setting (as the core file nodes do), else from the working directory of the process.
 */
export function readDownloadSettings(def: NodeDef, workingDirectory: string): DownloadSettings {
  const { values, problems } = readSettings(downloadSettingsSpec, def);
  if (problems.length > 0) throw invalid(problems[0].property, problems[0].text);
  const common = {
    concurrency: values.concurrency as number,
    transcodeTimeoutMs: (values.transcodeTimeout as number) * 1000,
    stallTimeoutMs: (values.stallTimeout as number) * 1000,
    retries: values.retries as number,
  };
  if (values.target === 'buffer') return { ...common, target: { kind: 'buffer', maxBytes: Math.floor((values.maxBufferMB as number) * 1_000_000) } };
  const directory = path.resolve(workingDirectory, values.directory as string);
  return { ...common, target: { kind: 'file', directory, path: values.path as string, overwrite: values.overwrite as OverwritePolicy } };
}
