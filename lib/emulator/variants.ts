/**
 * The answer variants of the real cloud the emulator can show (docs/protocol.md §8): list order, numbers
 * as text, event time form, the code of a refused token, the one-login rule and the form of VOD
 * playback URLs (MP4 or an HLS playlist). Set at start
 * (options) and changed live through the control API (`POST /_emulator/variants`).
 */
import { isPlainObject } from '../util/plain-object';
import { InputError } from './http';
import type { EventOrder, EventTimeForm, NumberForm, TokenErrorCode, VodFormat } from './options';

/** The variants in force. */
export interface VariantSettings {
  eventOrder: EventOrder;
  numberForm: NumberForm;
  eventTimeForm: EventTimeForm;
  tokenErrorCode: TokenErrorCode;
  oneLogin: boolean;
  vodFormat: VodFormat;
}

const CHOICES: { readonly [K in keyof VariantSettings]: readonly VariantSettings[K][] } = {
  eventOrder: ['newest', 'oldest'],
  numberForm: ['string', 'number'],
  eventTimeForm: ['text', 'ms'],
  tokenErrorCode: [401, 460],
  oneLogin: [true, false],
  vodFormat: ['mp4', 'hls'],
};

/** The emulator's current answer variants. */
export class Variants implements VariantSettings {
  eventOrder: EventOrder;
  numberForm: NumberForm;
  eventTimeForm: EventTimeForm;
  tokenErrorCode: TokenErrorCode;
  oneLogin: boolean;
  vodFormat: VodFormat;

  constructor(initial: VariantSettings) {
    this.eventOrder = initial.eventOrder;
    this.numberForm = initial.numberForm;
    this.eventTimeForm = initial.eventTimeForm;
    this.tokenErrorCode = initial.tokenErrorCode;
    this.oneLogin = initial.oneLogin;
    this.vodFormat = initial.vodFormat;
  }

  /** A number the cloud may send as text, in the form in force. */
  number(value: number): number | string {
    return this.numberForm === 'string' ? String(value) : value;
  }

  /** Control input: any subset of the settings; refuses unknown keys and values (the whole input or nothing). */
  set(input: unknown): VariantSettings {
    if (!isPlainObject(input)) throw new InputError('body must be a JSON object');
    const keys = Object.keys(CHOICES) as (keyof VariantSettings)[];
    const unknown = Object.keys(input).filter((key) => !(keys as string[]).includes(key));
    if (unknown.length > 0) throw new InputError(`unknown field(s): ${unknown.join(', ')}; allowed: ${keys.join(', ')}`);
    for (const key of keys) {
      const value = input[key];
      if (value !== undefined && !(CHOICES[key] as readonly unknown[]).includes(value)) {
        throw new InputError(`${key} must be one of ${CHOICES[key].map((v) => JSON.stringify(v)).join(', ')}`);
      }
    }
    Object.assign(this, Object.fromEntries(keys.filter((key) => input[key] !== undefined).map((key) => [key, input[key]])));
    return this.toJSON();
  }

  /** The settings as plain JSON. */
  toJSON(): VariantSettings {
    return {
      eventOrder: this.eventOrder,
      numberForm: this.numberForm,
      eventTimeForm: this.eventTimeForm,
      tokenErrorCode: this.tokenErrorCode,
      oneLogin: this.oneLogin,
      vodFormat: this.vodFormat,
    };
  }
}
