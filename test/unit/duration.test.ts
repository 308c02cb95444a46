import { strict as assert } from 'node:assert';
import { parseDuration } from '../../src/core/util/duration';

describe('durations', () => {
  it('reads the forms people type', () => {
    assert.equal(parseDuration('20s'), 20_000);
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('2'), 2000);
    assert.equal(parseDuration('1.5s'), 1500);
    for (const bad of ['', 's', '10x', '1h 30m', '-1s', 'abc10s']) assert.equal(parseDuration(bad), null, bad);
  });
});
