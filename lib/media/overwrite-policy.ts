/** What happens when a download's target file exists: keep it (no download), replace it, or pick `name (1).mp4`. Browser-safe. */
export type OverwritePolicy = 'never' | 'always' | 'rename';
export const OVERWRITE_POLICIES: readonly OverwritePolicy[] = ['never', 'always', 'rename'];
