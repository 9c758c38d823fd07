import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { annotationProblems, encryptAnnotations, FORMAT_ANNOTATION, isFullyQualifiedDomainName } from './annotations.js';

describe('Kubernetes KMS v2 annotations', () => {
  test('keys must be fully qualified domain names, as kube-apiserver checks them', () => {
    for (const ok of ['format.kms.arca.dev', 'a.b', 'x-1.example.com', 'kms.example.com.']) assert.equal(isFullyQualifiedDomainName(ok), true, ok);
    for (const bad of ['', 'localhost', 'kms.arca.dev/key', 'Upper.example.com', '-a.example.com', 'a..b', `${'a'.repeat(64)}.com`, `${'a.'.repeat(127)}com`]) {
      assert.equal(isFullyQualifiedDomainName(bad), false, bad);
    }
  });

  test('keys and values total at most 32 KiB; an unknown envelope format is refused', () => {
    assert.deepEqual(annotationProblems({ 'a.example.com': Buffer.alloc(32 * 1024 - 13) }), []);
    assert.match(annotationProblems({ 'a.example.com': Buffer.alloc(32 * 1024 - 12) }).join(), /32769 bytes, over the limit of 32768/);
    assert.match(annotationProblems({ [FORMAT_ANNOTATION]: Buffer.from('arca-blob-v9') }).join(), /envelope format/);
    assert.deepEqual(annotationProblems(encryptAnnotations()), [], 'what Encrypt answers, Decrypt accepts');
  });

  test('a problem names the key but never a value', () => {
    const problems = annotationProblems({ 'Bad Key': Buffer.from('secret-value') }).join();
    assert.match(problems, /'Bad Key'/);
    assert.doesNotMatch(problems, /secret-value/);
  });
});
