import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { isKmsError } from '../../core/errors.js';
import { formParams, parseQueryInput, queryInput } from './query.js';

const schema = z.object({
  RoleArn: z.string(),
  DurationSeconds: z.number().int().optional(),
  Tags: z.array(z.object({ Key: z.string(), Value: z.string() })).optional(),
  TransitiveTagKeys: z.array(z.string()).optional(),
});

const params = (text: string) => formParams(Buffer.from(text));
const serialization = (e: unknown) => isKmsError(e) && e.code === 'SerializationFailed';

describe('STS Query input', () => {
  it('decodes lists (.member.N), structures and declared numbers into the schema\'s shape, without Action and Version', () => {
    const p = params('Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fr&DurationSeconds=900&Tags.member.2.Key=b&Tags.member.1.Key=a&Tags.member.1.Value=1&Tags.member.2.Value=2&TransitiveTagKeys.member.1=a');
    assert.deepEqual(parseQueryInput(schema, p), {
      RoleArn: 'arn:aws:iam::111122223333:role/r',
      DurationSeconds: 900,
      Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }],
      TransitiveTagKeys: ['a'],
    });
  });

  it('an empty list parameter is an empty list', () => {
    assert.deepEqual(queryInput(schema, params('RoleArn=x&TransitiveTagKeys=')), { RoleArn: 'x', TransitiveTagKeys: [] });
  });

  it('a number that is not digits stays text, and the schema refuses it', () => {
    assert.throws(() => parseQueryInput(schema, params('RoleArn=x&DurationSeconds=15m')));
  });

  it('refuses a repeated parameter, a list with a hole, a bad index and prototype names', () => {
    assert.throws(() => params('RoleArn=a&RoleArn=b'), serialization);
    assert.throws(() => queryInput(schema, params('RoleArn=x&TransitiveTagKeys.member.2=a')), serialization);
    assert.throws(() => queryInput(schema, params('RoleArn=x&TransitiveTagKeys.member.0=a')), serialization);
    assert.throws(() => queryInput(schema, params('RoleArn=x&TransitiveTagKeys.member.x=a')), serialization);
    assert.throws(() => queryInput(schema, params('__proto__.polluted=1')), serialization);
    assert.throws(() => queryInput(schema, params('Tags.member.1.constructor=1')), serialization);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  it('refuses a parameter that is both a value and a structure', () => {
    assert.throws(() => queryInput(schema, params('RoleArn=x&RoleArn.Sub=y')), serialization);
  });
});
