/** Shapes of the operation catalog: the Link Visual API described as data. */

/** Wire types the seed uses. `int` and `long` are JSON integers; `long` may exceed 2^31. */
export type ParamType = 'string' | 'int' | 'long' | 'boolean' | 'list' | 'object';

/** One request parameter (or a field of a list item / nested object). */
export interface ParamSpec {
  readonly name: string;
  readonly type: ParamType;
  readonly required?: boolean;
  /** Default the server applies when the parameter is absent (documentation and emulator). */
  readonly default?: unknown;
  readonly min?: number;
  readonly max?: number;
  /** Closed set of allowed values. */
  readonly enum?: readonly (number | string | boolean)[];
  /** Human labels of enum values, for help text and editor selects. */
  readonly enumLabels?: Readonly<Record<string, string>>;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly maxLength?: number;
  /** Regular expression (source) a string must match in full, e.g. `^\d{6}$` for yyyyMM. */
  readonly pattern?: string;
  /** Words for the pattern in error messages, e.g. "yyyyMM". */
  readonly patternHint?: string;
  /** Item schema of a `list`. */
  readonly items?: ParamSpec;
  /** Fields of an `object` (or of a list item whose type is `object`). */
  readonly fields?: readonly ParamSpec[];
  /** Required only when another parameter has this value (e.g. timeSectionList when allDay is 0). */
  readonly requiredWhen?: { readonly param: string; readonly equals: unknown };
  /** A rule across fields: the value must be ≥ the sibling parameter named here when both are numbers (an end and its begin). */
  readonly atLeast?: string;
  /** A rule across fields: the value must be ≤ the sibling parameter named here when both are numbers (a pre-recording and its total). */
  readonly atMost?: string;
  /** For epoch times: seconds or milliseconds (the API mixes both). Nodes convert dates with it. */
  readonly unit?: 's' | 'ms';
  readonly description: string;
}

export type OperationGroup =
  | 'recordPlan'
  | 'eventPlan'
  | 'recording'
  | 'cloudStorage'
  | 'picture'
  | 'event'
  | 'account'
  | 'device'
  | 'debug';

/**
 * How a list operation pages. The cloud's list order is not fixed (events come newest first in the
 * apps, oldest first in the reference) and `nextBeginTime` has no reliable meaning (docs/protocol.md §7),
 * so every list is read the one way no order can break: the caller's time window stays fixed,
 * `pageParam` counts pages from `pageBase`, and items are told apart by `idField`, so a page that
 * shifted while the list grew repeats an item instead of hiding one.
 */
export interface PagingSpec {
  /** Field of `data` holding the page's items. */
  readonly listField: string;
  readonly pageParam: string;
  readonly pageBase: 0 | 1;
  readonly sizeParam: string;
  readonly defaultPageSize: number;
  readonly maxPageSize: number;
  /** Field of `data` with the total number of items, when the answer has one. */
  readonly totalField?: string;
  /** Boolean field of `data` that says whether more pages follow (`nextValid`); without it, a full page means more. */
  readonly moreField?: string;
  /** Field that identifies an item: an item seen on an earlier page is not yielded again. */
  readonly idField: string;
  /** Fields holding an item's time (first one present wins), for putting a collected list oldest first. */
  readonly timeFields?: readonly string[];
}

/** Which token the gateway expects in `request`. */
export type AuthRequirement = 'user' | 'none';

/** One API operation. */
export interface Operation {
  /** camelCase name, stable, used by nodes and `client.call`. */
  readonly name: string;
  readonly path: string;
  /** apiVer exactly as the seed's table gives it. */
  readonly apiVer: string;
  readonly group: OperationGroup;
  /** One line, shown in help and errors. */
  readonly description: string;
  readonly params: readonly ParamSpec[];
  readonly paging?: PagingSpec;
  /** Safe to repeat: queries, gets, deletes/binds of named things. Never `set`, `trigger`, `consume`. */
  readonly idempotent: boolean;
  readonly auth: AuthRequirement;
  /** Not in the seed: session/token calls, device list, ping. */
  readonly extra?: boolean;
  /** Response fields the seed documents (for help, the emulator and tests). */
  readonly response?: readonly ParamSpec[];
}
