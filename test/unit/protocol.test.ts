import { strict as assert } from 'node:assert';
import { isFromWebview, isToWebview } from '../../src/protocol/validate';

describe('webview protocol validation', () => {
  it('accepts the messages the webview sends', () => {
    for (const m of [
      { type: 'ready' },
      { type: 'diagnose' },
      { type: 'copy', text: 'free -h' },
      { type: 'log', level: 'warn', message: 'x' },
      { type: 'openHost', instance: 'node-013:9100' },
      { type: 'diagnoseHost', instance: 'node-013:9100' },
    ])
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
      { type: 'openHost' },
      { type: 'openHost', instance: '' },
      { type: 'diagnoseHost', instance: 42 },
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
  it('checks the fleet table and a host drill-down (one value per point of t)', () => {
    const host = { instance: 'a:9100', sshHost: null, signals: [], worst: null };
    const fleet = { version: 1, takenAt: 'now', windowMs: 1, sources: [], hosts: [host], pods: [], findings: [] };
    assert.ok(isToWebview({ type: 'fleet', report: fleet }));
    assert.equal(isToWebview({ type: 'fleet', report: { ...fleet, hosts: [{ instance: 'a' }] } }), false);
    assert.equal(isToWebview({ type: 'fleet', report: { ...fleet, version: 2 } }), false);
    const col = [1, null];
    const series = {
      version: 1,
      instance: 'a:9100',
      t: [0, 1],
      usedKb: col,
      availableKb: col,
      swapUsedKb: col,
      psiSomePct: col,
      psiFullPct: col,
      kills: [{ timeMs: 1, count: 2 }],
      absent: [],
    };
    assert.ok(isToWebview({ type: 'hostSeries', series }));
    assert.equal(isToWebview({ type: 'hostSeries', series: { ...series, usedKb: [1] } }), false, 'a series shorter than t');
    assert.equal(isToWebview({ type: 'hostSeries', series: { ...series, kills: [{ timeMs: 'x' }] } }), false);
  });
});
