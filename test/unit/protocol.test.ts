import { strict as assert } from 'node:assert';
import { isFromWebview, isToWebview } from '../../src/protocol/validate';

describe('webview protocol validation', () => {
  it('accepts the messages the webview sends', () => {
    for (const m of [{ type: 'ready' }, { type: 'diagnose' }, { type: 'copy', text: 'free -h' }, { type: 'log', level: 'warn', message: 'x' }])
      assert.ok(isFromWebview(m), JSON.stringify(m));
  });
  it('drops anything else', () => {
    for (const m of [
      null,
      1,
      'ready',
      [],
      {},
      { type: 'exec', command: 'rm -rf /' },
      { type: 'copy' },
      { type: 'copy', text: 'x'.repeat(200_001) },
      { type: 'log', level: 'debug', message: 'x' },
    ]) {
      assert.equal(isFromWebview(m), false, JSON.stringify(m)?.slice(0, 80));
    }
  });
  it('checks what the host side sends', () => {
    assert.ok(isToWebview({ type: 'busy', message: 'x' }));
    const report = { version: 1, memory: {}, processes: [], events: [], findings: [], growth: [] };
    assert.ok(isToWebview({ type: 'report', report, receivedAt: 'now' }));
    assert.equal(isToWebview({ type: 'report', report: { ...report, version: 2 }, receivedAt: 'now' }), false);
    assert.equal(isToWebview({ type: 'report', report: { ...report, findings: 'x' }, receivedAt: 'now' }), false);
    assert.equal(isToWebview({ type: 'report' }), false);
    // The live state: the same report, its samples (when present) shaped like samples.
    assert.ok(isToWebview({ type: 'live', report }));
    assert.ok(isToWebview({ type: 'live', report: { ...report, samples: { t: [], processes: {} } } }));
    assert.equal(isToWebview({ type: 'live', report: { ...report, samples: { t: 'x' } } }), false);
    assert.equal(isToWebview({ type: 'samples', samples: { t: [], processes: {} }, growth: [], findings: [] }), false, 'the old message is gone');
  });
});
