import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BoundedMap, SlidingWindowCounter, WINDOW_BUCKETS } from './windows.js';

describe('sliding windows', () => {
  it('counts the events of the last window and forgets older ones', () => {
    const w = new SlidingWindowCounter(60_000);
    for (let i = 0; i < 10; i++) assert.equal(w.add(1_000_000 + i * 1000), i + 1);
    assert.equal(w.count(1_000_000 + 30_000), 10);
    // Past the window and one bucket's span, none of them is left.
    assert.equal(w.count(1_000_000 + 9_000 + 60_000 + 60_000 / WINDOW_BUCKETS), 0);
    assert.equal(w.count(1_000_000 + 59_999), 10, 'the first event is still inside');
  });

  it('never misses an event inside the window, and overcounts by at most one bucket span', () => {
    const w = new SlidingWindowCounter(12_000);
    // At the end of its bucket: 11.999 s later the window's old end is in the bucket before it.
    w.add(100_999);
    assert.equal(w.count(100_999 + 11_999), 1, 'inside the window');
    assert.equal(w.count(100_000 + 13_000), 0, 'more than one bucket span after the window');
    const aligned = new SlidingWindowCounter(12_000);
    aligned.add(100_000);
    assert.equal(aligned.count(100_000 + 11_999), 1);
  });

  it('a slot reused by a later bucket starts from zero', () => {
    const w = new SlidingWindowCounter(12_000);
    for (let i = 0; i < 5; i++) w.add(0);
    assert.equal(w.add(13_000), 1);
  });

  it('reset forgets everything', () => {
    const w = new SlidingWindowCounter(1000);
    w.add(5);
    w.add(6);
    w.reset();
    assert.equal(w.count(6), 0);
  });
});

describe('bounded map', () => {
  it('keeps at most its capacity, forgetting the least recently used', () => {
    const m = new BoundedMap<string, number>(3);
    m.set('a', 1);
    m.set('b', 2);
    m.set('c', 3);
    assert.equal(m.getOrCreate('a', () => 0), 1); // a is now the most recent
    m.set('d', 4);
    assert.equal(m.size, 3);
    assert.equal(m.get('b'), undefined);
    assert.deepEqual([...m.values()], [3, 1, 4]);
  });

  it('holds its capacity whatever is inserted (bounded memory)', () => {
    const m = new BoundedMap<number, number>(100);
    for (let i = 0; i < 10_000; i++) m.getOrCreate(i, () => i);
    assert.equal(m.size, 100);
    assert.equal(m.get(9_999), 9_999);
    assert.equal(m.get(0), undefined);
  });
});
