/**
 * One table of the cloud's business codes (lib/gateway/api-codes.ts): the client's error mapping and
 * the emulator's answers read it, so what the emulator says is what the client understands.
 */
import assert from 'node:assert/strict';
import { API_CODES, apiCodeMessage } from '../../lib/gateway/api-codes';
import { errorFromApiCode, type LinkVisualErrorCode } from '../../lib/gateway/errors';
import { EMULATOR_CODES, type EmulatorCodeName } from '../../lib/emulator';

// What a flow sees for each answer of the emulator: the error code and whether it may try again.
const EXPECTED: Readonly<Record<Exclude<EmulatorCodeName, 'SUCCESS'>, readonly [LinkVisualErrorCode, boolean]>> = {
  REQUEST_ERROR: ['API_ERROR', false],
  AUTH_ERROR: ['AUTH_FAILED', false],
  FORBIDDEN: ['API_ERROR', false],
  SERVICE_NOT_FOUND: ['API_ERROR', false],
  PARAM_ERROR: ['INVALID_PARAMS', false],
  IOT_TOKEN_BLANK: ['AUTH_FAILED', false],
  IOT_TOKEN_INVALID: ['AUTH_FAILED', false],
  IOT_TOKEN_EXPIRED: ['AUTH_FAILED', false],
  CLOUD_TOKEN_INVALID: ['AUTH_FAILED', false],
  CLOUD_TOKEN_EXPIRED: ['AUTH_FAILED', false],
  SERVICE_ERROR: ['API_ERROR', true],
  REFRESH_TOKEN_INVALID: ['AUTH_FAILED', false],
  AUTH_IDENTITY_EXCEPTION: ['AUTH_FAILED', false],
  AUTH_CODE_INVALID: ['AUTH_FAILED', false],
  DEVICE_NOT_BOUND: ['API_ERROR', false],
  IDENTITY_NOT_FOUND: ['AUTH_FAILED', false],
  DEVICE_OFFLINE: ['DEVICE', true],
  RECORD_PLAN_NOT_FOUND: ['API_ERROR', false],
  EVENT_PLAN_NOT_FOUND: ['API_ERROR', false],
  PLAN_IN_USE: ['API_ERROR', false],
  CLOUD_STORAGE_DISABLED: ['API_ERROR', false],
  RECORD_FILE_NOT_FOUND: ['API_ERROR', false],
  EVENT_NOT_FOUND: ['API_ERROR', false],
  EVENT_PLAN_REQUIRED: ['API_ERROR', false],
  PRESENTED_STORAGE_CONSUMED: ['API_ERROR', false],
  PRESENTED_STORAGE_NONE: ['API_ERROR', false],
};

describe('the business-code table shared by the client and the emulator', () => {
  it('gives every code the emulator answers the cloud code and message of the table', () => {
    for (const [name, entry] of Object.entries(EMULATOR_CODES)) {
      const cloud = API_CODES[name as EmulatorCodeName];
      assert.equal(entry.code, cloud.code, name);
      assert.equal(entry.message, cloud.message, name);
      assert.ok(entry.meaning.length > 0, `${name} says when the emulator answers it`);
    }
  });

  it('maps every answer of the emulator to the error a flow branches on', () => {
    assert.deepEqual(Object.keys(EXPECTED).sort(), Object.keys(EMULATOR_CODES).filter((name) => name !== 'SUCCESS').sort());
    for (const [name, [code, retryable]] of Object.entries(EXPECTED)) {
      const entry = EMULATOR_CODES[name as EmulatorCodeName];
      const error = errorFromApiCode(entry.code, entry.message, { path: '/vision/customer/x' });
      assert.equal(error.code, code, name);
      assert.equal(error.retryable, retryable, name);
      assert.equal(error.apiCode, entry.code, name);
    }
  });

  it('maps the codes only the real cloud sends: throttling, waking devices and backend trouble', () => {
    const cases: readonly [number, LinkVisualErrorCode, boolean][] = [
      [429, 'THROTTLED', true],
      [2062, 'AUTH_FAILED', false],
      [26101, 'AUTH_FAILED', false],
      [26251, 'AUTH_FAILED', false],
      [2459, 'AUTH_FAILED', false],
      [9201, 'DEVICE', true],
      [6221, 'DEVICE', true],
      [20056, 'DEVICE', true],
      [503, 'API_ERROR', true],
      [20003, 'API_ERROR', true],
      [20004, 'API_ERROR', true],
      [12345, 'API_ERROR', false],
    ];
    for (const [apiCode, code, retryable] of cases) {
      const error = errorFromApiCode(apiCode, 'x');
      assert.deepEqual([error.code, error.retryable], [code, retryable], String(apiCode));
    }
  });

  it('finds the message of a code (the parameter error for 460), and none for an unknown code', () => {
    assert.equal(apiCodeMessage(460), 'request parameter error.');
    assert.equal(apiCodeMessage(429), 'too many requests.');
    assert.equal(apiCodeMessage(26101), undefined);
    assert.equal(apiCodeMessage(12345), undefined);
  });
});
