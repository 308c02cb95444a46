// Writes a large kern.log-like file: ordinary kernel noise in syslog form, with the real OOM
// samples of test/fixtures/corpus/kernel-oom spliced in at intervals. Returns how many samples went in.
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Lines that mention memory or OOM-ish words without being OOM lines (decoys for the fast skip). */
const DECOYS = [
  'Out of puff! Cannot find memory pressure note here: process list (not an OOM line)',
  'Freeing unused kernel image (initmem) memory: 2740K',
  'x86/mm: Memory block size: 128MB',
];
/** One decoy per this many noise lines (BENCH_EVENTS_DECOY_EVERY; default 200, i.e. 0.5 % of lines). */
const DECOY_EVERY = Number(process.env.BENCH_EVENTS_DECOY_EVERY || 200);

const NOISE = [
  'EXT4-fs (nvme0n1p2): re-mounted. Opts: errors=remount-ro. Quota mode: none.',
  'audit: type=1400 audit(1700000000.123:456): apparmor="DENIED" operation="open" profile="snap.lxd" name="/proc/1/environ" pid=1234 comm="lxd"',
  'IPv4: martian source 10.0.0.255 from 10.0.0.17, on dev eth0',
  'usb 1-1.2: new high-speed USB device number 5 using ehci-pci',
  'TCP: request_sock_TCP: Possible SYN flooding on port 443. Sending cookies.  Check SNMP counters.',
  'nf_conntrack: nf_conntrack: table full, dropping packet',
  'perf: interrupt took too long (2501 > 2500), lowering kernel.perf_event_max_sample_rate to 79800',
  'docker0: port 1(veth1a2b3c4) entered forwarding state',
  'systemd[1]: Started Session 42 of user deploy.',
  'blk_update_request: I/O error, dev sdb, sector 123456 op 0x0:(READ) flags 0x0 phys_seg 1 prio class 0',
];

export async function generateKernLog(path: string, targetBytes: number, corpusDir: string): Promise<{ samples: number; bytes: number }> {
  const samples = readdirSync(corpusDir)
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .map((f) => readFileSync(join(corpusDir, f), 'utf8'));
  const out = createWriteStream(path, { highWaterMark: 1 << 22 });
  let bytes = 0;
  let uptime = 1000;
  let n = 0;
  let inserted = 0;
  // One real sample per BENCH_EVENTS_SPLICE_MB of noise (default 8): a bigger file with a bigger
  // spacing holds as many OOM reports, to see that memory follows the events kept, not the bytes.
  const spliceEvery = Number(process.env.BENCH_EVENTS_SPLICE_MB || 8) * (1 << 20);
  let nextSplice = spliceEvery;
  const write = (s: string) =>
    new Promise<void>((resolve) => {
      bytes += Buffer.byteLength(s);
      if (out.write(s)) resolve();
      else out.once('drain', resolve);
    });
  let buf = '';
  while (bytes + buf.length < targetBytes) {
    uptime += 0.0137;
    const sec = Math.floor(uptime);
    const hh = String(Math.floor(sec / 3600) % 24).padStart(2, '0');
    const mm = String(Math.floor(sec / 60) % 60).padStart(2, '0');
    const ss = String(sec % 60).padStart(2, '0');
    const text = n % DECOY_EVERY === DECOY_EVERY - 1 ? DECOYS[((n / DECOY_EVERY) | 0) % DECOYS.length] : NOISE[n % NOISE.length];
    n++;
    buf += `Nov 25 ${hh}:${mm}:${ss} web-1 kernel: [${uptime.toFixed(6).padStart(12)}] ${text}\n`;
    if (buf.length > 1 << 20) {
      await write(buf);
      buf = '';
      if (bytes >= nextSplice) {
        await write(samples[inserted % samples.length] + '\n');
        inserted++;
        nextSplice += spliceEvery;
      }
    }
  }
  await write(buf);
  await new Promise<void>((r) => out.end(r));
  return { samples: inserted, bytes };
}
