/**
 * The rules of a download path template (`{iotId}/{date}/{fileName}.mp4`) that need no file system: its
 * placeholders, its default and the check of its text. Browser-safe, so the download dialog checks a template
 * with the runtime's own rule; the expansion on disk is path-template.ts.
 */
import { LinkVisualError } from '../gateway/errors';

/** The placeholders a path template may use. */
export const PATH_PLACEHOLDERS = ['iotId', 'fileName', 'date', 'time', 'eventId'] as const;
export type PathPlaceholder = (typeof PATH_PLACEHOLDERS)[number];

/** The template used when none is configured. */
export const DEFAULT_PATH_TEMPLATE = '{iotId}/{date}/{fileName}.mp4';

/** A placeholder in a template: `{name}`. */
export const PLACEHOLDER = /\{([^{}]*)\}/g;
// Characters refused in a template's own text: controls, backslash and those Windows or SMB shares reject.
const BAD_TEXT = /[\\:<>"|?*]/;

function hasControlCharacter(text: string): boolean {
  return [...text].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f);
}

/** An INVALID_PARAMS error about one field of a download. */
export function invalidPath(field: string, message: string): LinkVisualError {
  return new LinkVisualError('INVALID_PARAMS', `${field}: ${message}`, { problems: [{ path: field, message }] });
}

/** Checks a template without values: known placeholders, a relative path, no `.`/`..` parts, no odd characters. */
export function checkPathTemplate(template: unknown): string {
  if (typeof template !== 'string' || template.trim() === '') throw invalidPath('path', 'must be a non-empty template');
  if (template.length > 1024) throw invalidPath('path', 'is longer than 1024 characters');
  for (const match of template.matchAll(PLACEHOLDER)) {
    if (!(PATH_PLACEHOLDERS as readonly string[]).includes(match[1])) {
      throw invalidPath('path', `unknown placeholder {${match[1]}}; use ${PATH_PLACEHOLDERS.map((name) => `{${name}}`).join(' ')}`);
    }
  }
  const text = template.replace(PLACEHOLDER, 'x');
  if (/[{}]/.test(text)) throw invalidPath('path', 'has an unbalanced { or }');
  if (BAD_TEXT.test(text) || hasControlCharacter(text)) throw invalidPath('path', 'has a character not allowed in a path (control characters, \\ : < > " | ? *)');
  if (text.startsWith('/')) throw invalidPath('path', 'must be relative to the directory (no leading /)');
  for (const segment of template.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') throw invalidPath('path', 'must not have empty, "." or ".." parts');
  }
  if (template.endsWith('/')) throw invalidPath('path', 'must end with a file name');
  return template;
}
