/** What an operation handler gets: its validated params, who calls, and the emulator's services. */
import type { Operation } from '../catalog/types';
import { checkAcrossFields, formatProblems } from '../catalog/validate';
import type { Cameras } from './cameras';
import type { SimulatedClock } from './clock';
import type { MediaKind, MediaSigner } from './media';
import type { Principal, Sessions } from './sessions';
import type { Stats } from './stats';
import type { Transcodes } from './transcode';
import type { Variants } from './variants';
import { BusinessError } from './codes';
import type { World } from './world';

export interface Services {
  readonly world: World;
  readonly cameras: Cameras;
  readonly sessions: Sessions;
  readonly clock: SimulatedClock;
  readonly media: MediaSigner;
  readonly transcodes: Transcodes;
  readonly stats: Stats;
  /** Bytes of every generated MP4 (and the fileSize record/query reports). */
  readonly mp4Size: number;
  /** The cloud's answer variants in force (list order, numbers as text, …). */
  readonly variants: Variants;
}

export interface CallContext {
  readonly operation: Operation;
  /** Params checked by the catalog, with the catalog's defaults filled in. */
  readonly params: Record<string, unknown>;
  /** Set for `auth: 'user'` operations. */
  readonly principal?: Principal;
  readonly signingAppKey: string;
  /** `http://host:port` as the client reached us, for media URLs. */
  readonly baseUrl: string;
}

/** Answers one operation: the `data` of a success, or throws a BusinessError. */
export type Handler = (context: CallContext, services: Services) => unknown;

/** Fills absent top-level params with the catalog defaults. */
export function withDefaults(operation: Operation, params: Record<string, unknown>): Record<string, unknown> {
  const filled: Record<string, unknown> = { ...params };
  for (const spec of operation.params) {
    if (filled[spec.name] === undefined && spec.default !== undefined) filled[spec.name] = spec.default;
  }
  return filled;
}

/** A string param (validated by the catalog before the handler runs). */
export function str(params: Record<string, unknown>, name: string): string {
  const value = params[name];
  return typeof value === 'string' ? value : '';
}

/** A numeric param, or `fallback` when absent. */
export function num(params: Record<string, unknown>, name: string, fallback = 0): number {
  const value = params[name];
  return typeof value === 'number' ? value : fallback;
}

/** A boolean param, or false when absent. */
export function bool(params: Record<string, unknown>, name: string): boolean {
  return params[name] === true;
}

/** A list param, or an empty list. */
export function list<T>(params: Record<string, unknown>, name: string): T[] {
  const value = params[name];
  return Array.isArray(value) ? (value as T[]) : [];
}

/** One page of `items` by 0-based page index, and the first item after it. */
export function pageOf<T>(items: readonly T[], pageStart: number, pageSize: number): { page: T[]; next: T | undefined } {
  const start = pageStart * pageSize;
  return { page: items.slice(start, start + pageSize), next: items[start + pageSize] };
}

/**
 * Refuses a record that breaks the operation's rules across fields (460, the catalog's check of every call):
 * for an update that sends one side of a rule, the stored record with the update applied.
 */
export function refuseAcrossFields(operation: Operation, record: Record<string, unknown>): void {
  const problems = checkAcrossFields(operation.params, record);
  if (problems.length > 0) throw new BusinessError('PARAM_ERROR', formatProblems(problems));
}

/** An expiring media URL (string only). */
export function mediaUrl(context: CallContext, services: Services, kind: MediaKind, iotId: string, id: string): string {
  return services.media.url(context.baseUrl, kind, iotId, id).url;
}
