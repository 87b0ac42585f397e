const MIN_SECRET_LENGTH = 4;

/** Replaces every occurrence of each secret in `text` with `***` (short strings are left alone). */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let result = text;
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) continue;
    result = result.split(secret).join('***');
  }
  return result;
}
