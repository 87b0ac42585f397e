// The settings of a link-visual-download node as data (nodes/shared/setting-spec.ts): settings.ts reads them, the
// editor bundle checks them, scripts/generate-settings.js writes the dialog and generate-help.js the help's table.
// Browser-safe.
import { OVERWRITE_POLICIES } from '../../lib/media/overwrite-policy';
import { DEFAULT_PATH_TEMPLATE, checkPathTemplate } from '../../lib/media/path-template-rules';
import type { NodeSettingsSpec } from '../shared/setting-spec';

const FILE = { setting: 'target', is: ['file'] } as const;

/** The problem of a path template (the runtime's own check), or undefined. */
function pathTemplateProblem(text: string): string | undefined {
  try {
    checkPathTemplate(text);
    return undefined;
  } catch (error) {
    return (error as Error).message.replace(/^path: /, '');
  }
}

/** The download node's settings, in form order. */
export const downloadSettingsSpec: NodeSettingsSpec = {
  type: 'link-visual-download',
  settings: [
    { property: 'target', type: 'text', default: 'file', options: ['file', 'buffer'], icon: 'fa-sign-out', input: { kind: 'select' } },
    { property: 'directory', type: 'text', default: '', required: true, when: FILE, icon: 'fa-folder-open', input: { kind: 'text', placeholder: true } },
    {
      property: 'path',
      type: 'text',
      default: DEFAULT_PATH_TEMPLATE,
      when: FILE,
      rules: [{ key: 'path', check: pathTemplateProblem }],
      icon: 'fa-file-video-o',
      input: { kind: 'text' },
    },
    { property: 'overwrite', type: 'text', default: 'never', options: OVERWRITE_POLICIES, when: FILE, icon: 'fa-files-o', input: { kind: 'select' } },
    { property: 'maxBufferMB', type: 'number', default: 50, min: 0.001, max: 2048, when: { setting: 'target', is: ['buffer'] }, icon: 'fa-database', input: { kind: 'number', unit: 'mb' } },
    { property: 'concurrency', type: 'number', default: 1, integer: true, min: 1, max: 16, icon: 'fa-tasks', input: { kind: 'number', spinner: true } },
    { property: 'transcodeTimeout', type: 'number', default: 300, min: 1, max: 86_400, icon: 'fa-hourglass-half', input: { kind: 'number', unit: 'seconds' } },
    { property: 'stallTimeout', type: 'number', default: 30, min: 1, max: 3600, icon: 'fa-clock-o', input: { kind: 'number', unit: 'seconds' } },
    { property: 'retries', type: 'number', default: 3, integer: true, min: 0, max: 20, icon: 'fa-repeat', input: { kind: 'number', spinner: true } },
  ],
};
