import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isKmsError } from '../../core/errors.js';
import { MAX_JSON_DEPTH, parseJsonBody } from './json.js';

function parse(text: string): Record<string, unknown> {
  return parseJsonBody(Buffer.from(text));
}

function assertSerializationFailed(text: string, message: RegExp): void {
  assert.throws(
    () => parse(text),
    (e: unknown) => {
      assert.ok(isKmsError(e), `expected a KmsError, got ${String(e)}`);
      assert.equal(e.code, 'SerializationFailed');
      assert.match(e.message, message);
      return true;
    },
  );
}

/** `inner` as the innermost of `depth` nested objects: nestedObjects(3) is `{"a":{"a":{}}}`. */
function nestedObjects(depth: number, inner = '{}'): string {
  return '{"a":'.repeat(depth - 1) + inner + '}'.repeat(depth - 1);
}

/** An object holding arrays nested so that the whole value has `depth` levels. */
function nestedArrays(depth: number): string {
  return '{"a":' + '['.repeat(depth - 1) + ']'.repeat(depth - 1) + '}';
}

describe('parseJsonBody', () => {
  it('parses a JSON object into its members', () => {
    assert.deepEqual(parse('{"KeyId":"alias/app","Plaintext":"aGk=","EncryptionContext":{"a":"b"},"GrantTokens":["t"]}'), {
      KeyId: 'alias/app',
      Plaintext: 'aGk=',
      EncryptionContext: { a: 'b' },
      GrantTokens: ['t'],
    });
  });

  it('reads an empty body as an empty object', () => {
    assert.deepEqual(parseJsonBody(Buffer.alloc(0)), {});
  });

  it('refuses a body that is not JSON', () => {
    assertSerializationFailed('{"KeyId":', /not valid JSON/);
    assertSerializationFailed('   ', /not valid JSON/);
  });

  for (const [what, text] of [
    ['an array', '[{"KeyId":"k"}]'],
    ['a number', '42'],
    ['a string', '"KeyId"'],
    ['null', 'null'],
    ['a boolean', 'true'],
  ] as const) {
    it(`refuses ${what} at the top level`, () => {
      assertSerializationFailed(text, /must be a JSON object/);
    });
  }

  it(`accepts objects nested ${MAX_JSON_DEPTH} deep and refuses ${MAX_JSON_DEPTH + 1}`, () => {
    assert.equal(MAX_JSON_DEPTH, 16);
    assert.doesNotThrow(() => parse(nestedObjects(MAX_JSON_DEPTH)));
    assertSerializationFailed(nestedObjects(MAX_JSON_DEPTH + 1), /nested deeper than 16 levels/);
  });

  it('counts arrays toward the depth limit', () => {
    assert.doesNotThrow(() => parse(nestedArrays(MAX_JSON_DEPTH)));
    assertSerializationFailed(nestedArrays(MAX_JSON_DEPTH + 1), /nested deeper/);
  });

  it('refuses very deep nesting with a SerializationException, not a stack overflow', () => {
    assertSerializationFailed(nestedObjects(20_000), /nested deeper|not valid JSON/);
    assertSerializationFailed(nestedArrays(20_000), /nested deeper|not valid JSON/);
  });

  for (const key of ['__proto__', 'constructor', 'prototype']) {
    it(`refuses the member name ${key} at the top level and at any depth`, () => {
      assertSerializationFailed(`{"${key}":{"polluted":"yes"}}`, new RegExp(`reserved member name '${key}'`));
      assertSerializationFailed(`{"EncryptionContext":{"${key}":{"polluted":"yes"}}}`, /reserved member name/);
      assertSerializationFailed(`{"a":[1,{"b":[{"${key}":1}]}]}`, /reserved member name/);
      assertSerializationFailed(nestedObjects(MAX_JSON_DEPTH, `{"${key}":1}`), /reserved member name/);
    });
  }

  it('leaves Object.prototype untouched by hostile bodies, and returns plain objects', () => {
    const hostile = [
      '{"__proto__":{"polluted":"yes"}}',
      '{"constructor":{"prototype":{"polluted":"yes"}}}',
      '{"a":{"__proto__":{"polluted":"yes"}}}',
    ];
    for (const text of hostile) {
      assert.throws(() => parse(text));
      assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
      assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    }
    const result = parse('{"KeyId":"k","EncryptionContext":{"a":"b"}}');
    assert.equal(Object.getPrototypeOf(result), Object.prototype);
    // Copying a result the way services do must not reach a prototype either.
    const merged: Record<string, unknown> = Object.assign({}, result, { ...result });
    assert.equal(Object.getPrototypeOf(merged), Object.prototype);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });
});
