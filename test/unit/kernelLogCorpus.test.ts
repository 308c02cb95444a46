import { strict as assert } from 'node:assert';
import { parseOomEvents, readOomEventsFromStream } from '../../src/core/parse/kernelLog';
import { checkContainerSample, checkKernelSample, checkRuntimeSample, samples } from './helpers/corpusEvents';

// Every sample of the corpus, every fact its reading states, mapped onto the contract.
describe('corpus: kernel-oom samples', () => {
  for (const s of samples('kernel-oom')) {
    it(s.name, () => {
      const r = parseOomEvents(s.text, { kind: 'file', path: s.name });
      checkKernelSample(r, s.expected, s.name);
      assert.deepEqual(r.warnings, []);
    });
    it(`${s.name} (streamed in 7-byte pieces gives the same result)`, async () => {
      const buf = Buffer.from(s.text, 'utf8');
      async function* pieces(): AsyncGenerator<Buffer> {
        for (let i = 0; i < buf.length; i += 7) yield buf.subarray(i, i + 7);
      }
      const r = await readOomEventsFromStream(pieces(), { kind: 'file', path: s.name });
      assert.deepEqual(r, parseOomEvents(s.text, { kind: 'file', path: s.name }));
    });
  }
});

describe('corpus: runtime OOM samples (node/)', () => {
  for (const s of samples('node')) {
    it(s.name, () => checkRuntimeSample(parseOomEvents(s.text), s.expected, s.name));
  }
});

describe('corpus: container platform samples (kubernetes/)', () => {
  for (const s of samples('kubernetes')) {
    it(s.name, () => checkContainerSample(parseOomEvents(s.text), s.expected, s.name));
  }
});

describe('corpus: samples of other kinds yield no OOM events', () => {
  for (const cat of ['python', 'smaps', 'valgrind']) {
    for (const s of samples(cat)) {
      it(`${cat}/${s.name}`, () => {
        const r = parseOomEvents(s.text);
        assert.deepEqual(
          r.events.map((e) => e.kind),
          [],
          JSON.stringify(r.events),
        );
      });
    }
  }
});
