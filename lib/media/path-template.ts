/**
 * Where a download goes: a path template (`{iotId}/{date}/{fileName}.mp4`) expanded with checked ids
 * and resolved under a base directory it can never leave.
 */
import path from 'node:path';
import { PLACEHOLDER, checkPathTemplate, invalidPath as invalid, type PathPlaceholder } from './path-template-rules';

export { DEFAULT_PATH_TEMPLATE, PATH_PLACEHOLDERS, checkPathTemplate, type PathPlaceholder } from './path-template-rules';

/** What a template is expanded with. */
export interface PathValues {
  readonly iotId: string;
  readonly fileName: string;
  readonly eventId?: string;
  /** The recording's (or event's) start: gives `{date}` and `{time}` in the host's time zone. */
  readonly time: Date;
}

// Letters, digits and `_ - . + = @ ~`; no `..`, no leading dot. Nothing a shell, a NAS or Windows reads specially.
const SAFE_ID = /^[A-Za-z0-9_+=@~-][A-Za-z0-9_.+=@~-]{0,127}$/;
const MAX_SEGMENT_BYTES = 255;

/** Checks an id that may become part of a file name (iotId, fileName, eventId); returns it. */
export function checkPathId(field: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') throw invalid(field, 'must be a non-empty string');
  if (!SAFE_ID.test(value) || value.includes('..')) {
    throw invalid(field, `${JSON.stringify(value.slice(0, 60))} has characters not allowed in a file name (letters, digits and _ - . + = @ ~ only, no "..")`);
  }
  return value;
}

/** An id made safe as one part of a file name: picture ids are base64 (`/`, `+`), so `/` and odd characters become `_`. */
export function fileNamePart(id: string): string {
  return id.replace(/[^A-Za-z0-9_.=+@~-]/g, '_').replace(/^\.+/, '_');
}

function two(n: number): string {
  return String(n).padStart(2, '0');
}

/** `{date}` (YYYY-MM-DD) and `{time}` (HH-mm-ss) of a moment, in the host's time zone. */
export function dateParts(time: Date): { date: string; time: string } {
  return {
    date: `${time.getFullYear()}-${two(time.getMonth() + 1)}-${two(time.getDate())}`,
    time: `${two(time.getHours())}-${two(time.getMinutes())}-${two(time.getSeconds())}`,
  };
}

/** Expands a checked template into a relative path (`/`-separated). A trailing `.mp4` of the file name is dropped: the template adds it. */
export function expandPathTemplate(template: string, values: PathValues): string {
  checkPathTemplate(template);
  const { date, time } = dateParts(values.time);
  const expanded = template.replace(PLACEHOLDER, (_whole, name: PathPlaceholder) => {
    switch (name) {
      case 'iotId':
        return checkPathId('iotId', values.iotId);
      case 'fileName':
        return checkPathId('fileName', values.fileName).replace(/\.mp4$/i, '');
      case 'eventId':
        if (values.eventId === undefined) throw invalid('path', 'uses {eventId}, but this recording was not asked for by an event');
        return checkPathId('eventId', values.eventId);
      case 'date':
        return date;
      case 'time':
        return time;
    }
  });
  for (const segment of expanded.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') throw invalid('path', `expands to ${JSON.stringify(expanded)}, which has an empty, "." or ".." part`);
    if (Buffer.byteLength(segment) > MAX_SEGMENT_BYTES) throw invalid('path', `a part of ${JSON.stringify(expanded.slice(0, 80))} is longer than ${MAX_SEGMENT_BYTES} bytes`);
  }
  return expanded;
}

/** Resolves a relative path under `baseDir`; refuses anything that would land outside it. */
export function resolveInside(baseDir: string, relative: string): string {
  const base = path.resolve(baseDir);
  const resolved = path.resolve(base, ...relative.split('/'));
  const rel = path.relative(base, resolved);
  if (rel === '' || leavesBase(rel)) {
    throw invalid('path', `${JSON.stringify(relative.slice(0, 80))} resolves outside the directory ${base}`);
  }
  return resolved;
}

/** True when `inner` is `outer` or below it (both already absolute and real). */
export function isInside(outer: string, inner: string): boolean {
  const rel = path.relative(outer, inner);
  return rel === '' || !leavesBase(rel);
}

function leavesBase(rel: string): boolean {
  return rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel);
}
