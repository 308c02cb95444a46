import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSmaps, smapsBreakdown, mappingKind } from '../../src/core/parse/smaps';

const corpus = (name: string) => readFileSync(join(__dirname, '..', 'fixtures', 'corpus', 'smaps', name), 'utf8');
const expected = (name: string) => JSON.parse(corpus(name.replace(/\.txt$/, '.expected.json')));

describe('smaps parser (corpus)', () => {
  it('001: one 2014-era VMA with VmFlags after the numbers', () => {
    const e = expected('001-smaps-2014-single-vma-vmflags.txt');
    const maps = parseSmaps(corpus('001-smaps-2014-single-vma-vmflags.txt'));
    assert.equal(maps.length, e.mappings.length);
    const [m] = maps;
    const x = e.mappings[0];
    assert.equal(`0x${m.start}`, x.start);
    assert.equal(m.perms, x.perms);
    assert.equal(m.path, x.pathname);
    assert.deepEqual([m.sizeKb, m.rssKb, m.pssKb, m.swapKb, m.anonKb], [x.size_kb, x.rss_kb, x.pss_kb, x.swap_kb, x.anonymous_kb]);
    assert.equal(m.privateKb, e.totals.uss_kb);
    assert.equal(m.fields.Locked, x.locked_kb);
    assert.equal(mappingKind(m), 'binary');
  });

  it('010: pmap -x with an HTML wrapper, 8-digit columns, "(deleted)" and "[ anon ]"', () => {
    const e = expected('010-pmap-x-go-heap-deleted-binary.txt');
    const maps = parseSmaps(corpus('010-pmap-x-go-heap-deleted-binary.txt'));
    assert.equal(maps.length, e.mappings.length);
    e.mappings.forEach((x: { address: string; kbytes: number; rss_kb: number; dirty_kb: number; mode: string; mapping: string }, i: number) => {
      assert.deepEqual(
        [maps[i].start, maps[i].sizeKb, maps[i].rssKb, maps[i].fields.Dirty, maps[i].perms],
        [x.address, x.kbytes, x.rss_kb, x.dirty_kb, x.mode],
      );
    });
    const rows = smapsBreakdown(maps);
    assert.equal(rows[0].kind, 'anon');
    assert.equal(rows[0].rssKb, e.sum_rss_kb_in_excerpt - rows.filter((r) => r.kind !== 'anon').reduce((a, r) => a + r.rssKb, 0));
    assert.ok(
      rows.some((r) => r.name === 'server' && r.mappings === 3),
      'the deleted binary is one row',
    );
  });
});

describe('smaps breakdown', () => {
  const text = [
    '55d0c0000000-55d0c0021000 rw-p 00000000 00:00 0                          [heap]',
    'Size:                132 kB',
    'Rss:                 100 kB',
    'Pss:                 100 kB',
    'Private_Dirty:       100 kB',
    'Swap:                  8 kB',
    '7f0000000000-7f0000100000 rw-p 00000000 00:00 0 ',
    'Size:               1024 kB',
    'Rss:                 512 kB',
    'Pss:                 512 kB',
    'Private_Dirty:       512 kB',
    '7f1000000000-7f1000020000 r-xp 00000000 08:01 1234                       /usr/lib/x86_64-linux-gnu/libc.so.6',
    'Size:                128 kB',
    'Rss:                 120 kB',
    'Pss:                  10 kB',
    'Private_Clean:         0 kB',
    'Private_Dirty:         0 kB',
    '7f1000020000-7f1000030000 r--p 00020000 08:01 1234                       /usr/lib/x86_64-linux-gnu/libc.so.6',
    'Size:                 64 kB',
    'Rss:                  60 kB',
    'Pss:                   5 kB',
    '7f2000000000-7f2000400000 rw-s 00000000 00:05 99                         /dev/shm/pgsql.1',
    'Size:               4096 kB',
    'Rss:                4000 kB',
    'Pss:                2000 kB',
    '7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]',
    'Size:                132 kB',
    'Rss:                  16 kB',
    'Pss:                  16 kB',
    'VmFlags: rd wr mr mw me gd ac ',
  ].join('\n');

  it('groups heap, stack, anon, shmem and each library, biggest first', () => {
    const rows = smapsBreakdown(parseSmaps(text));
    assert.deepEqual(
      rows.map((r) => [r.kind, r.name, r.mappings, r.rssKb]),
      [
        ['shmem', '/dev/shm/pgsql.1', 1, 4000],
        ['anon', 'anon', 1, 512],
        ['library', '/usr/lib/x86_64-linux-gnu/libc.so.6', 2, 180],
        ['heap', 'heap', 1, 100],
        ['stack', 'stack', 1, 16],
      ],
    );
    assert.equal(rows.find((r) => r.kind === 'heap')!.swapKb, 8);
    assert.equal(rows.find((r) => r.kind === 'library')!.pssKb, 15);
  });

  it('never throws on garbage', () => {
    assert.deepEqual(parseSmaps('\0\0garbage\nSize: 12 kB\n'), []);
    assert.deepEqual(smapsBreakdown([]), []);
  });
});
