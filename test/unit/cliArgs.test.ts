import { strict as assert } from 'node:assert';
import { parseCli, UsageError } from '../../src/cli/args';

describe('oom-lens argument parsing', () => {
  it('reads diagnose with --json / --format / --out / --top', () => {
    assert.deepEqual(parseCli(['diagnose']), {
      command: 'diagnose',
      json: false,
      format: 'text',
      out: null,
      top: 15,
      sampleMs: null,
      intervalMs: 1000,
      positionals: [],
      host: null,
      sshConfig: null,
      identity: null,
      sudo: false,
    });
    assert.deepEqual(
      (({ host, sshConfig, identity, sudo }) => ({ host, sshConfig, identity, sudo }))(
        parseCli(['diagnose', '--host', 'web-1', '--ssh-config', 'cfg', '-i', 'key', '--sudo']),
      ),
      { host: 'web-1', sshConfig: 'cfg', identity: 'key', sudo: true },
    );
    assert.deepEqual(
      [parseCli(['diagnose', '--sample', '20s', '--interval', '500ms']).sampleMs, parseCli(['diagnose', '--sample', '1h30m']).sampleMs],
      [20_000, 5_400_000],
    );
    assert.equal(parseCli(['diagnose', '--format', 'md']).format, 'md');
    assert.equal(parseCli(['events', 'kern.log']).positionals[0], 'kern.log');
    assert.equal(parseCli(['diagnose', '--json']).json, true);
    assert.equal(parseCli(['diagnose', '--format', 'json']).json, true);
    assert.equal(parseCli(['snapshot', '--out', 'r.json', '--json']).out, 'r.json');
    assert.equal(parseCli(['diagnose', '--top', '3']).top, 3);
  });

  it('maps --help and --version to their commands even without a command', () => {
    assert.equal(parseCli(['--help']).command, 'help');
    assert.equal(parseCli(['-h']).command, 'help');
    assert.equal(parseCli(['--version']).command, 'version');
  });

  for (const [argv, why] of [
    [[], /missing command/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['diagnose', '--nope'], /nope/],
    [['diagnose', '--top', '0'], /positive whole number/],
    [['diagnose', '--top', 'x'], /positive whole number/],
    [['diagnose', '--format', 'xml'], /unknown format 'xml'/],
    [['diagnose', '--json', '--format', 'text'], /conflicts/],
    [['diagnose', 'extra'], /unexpected argument 'extra'/],
    [['diagnose', '--sample', 'soon'], /--sample needs a duration/],
    [['diagnose', '--sample', '1s', '--interval', '1s'], /at least two intervals/],
    [['diagnose', '--interval', '10ms'], /at least 100ms/],
    [['events', '--sample', '10s'], /apply to diagnose and watch/],
    [['events', 'a', 'b'], /unexpected argument 'b'/],
    [['events', 'kern.log', '--host', 'x'], /do not apply to events FILE/],
    [['diagnose', '--identity', 'k'], /need --host/],
    [['diagnose', '--host', ''], /needs a host name/],
  ] as [string[], RegExp][]) {
    it(`refuses ${JSON.stringify(argv)} as a usage error`, () => {
      assert.throws(
        () => parseCli(argv),
        (e: unknown) => e instanceof UsageError && why.test((e as Error).message),
      );
    });
  }
  it('act: a dry run unless --apply; negative numbers are values, not options', () => {
    const a = parseCli(['act', 'oom-adj', '1234', '-500']);
    assert.deepEqual(a.positionals, ['oom-adj', '1234', '-500']);
    assert.equal(a.actOptions!.apply, false);
    const k = parseCli(['act', 'kill', '7', '8', '--escalate', '10s', '--apply', '--json']);
    assert.deepEqual([k.positionals, k.actOptions!.escalateMs, k.actOptions!.apply, k.json], [['kill', '7', '8'], 10_000, true, true]);
    assert.throws(() => parseCli(['diagnose', '--apply']), /--apply applies to act/);
  });
  it('watch --events: a sample every 5 s unless --interval; --fail-on kill only with --events', () => {
    const e = parseCli(['watch', '--events', '--host', 'web-1']);
    assert.deepEqual([e.watchOptions, e.intervalMs, e.host], [{ events: true, failOn: null }, 5000, 'web-1']);
    assert.equal(parseCli(['watch']).intervalMs, 1000, 'the table keeps its 1 s');
    const f = parseCli(['watch', '--events', '--fail-on', 'kill', '--interval', '2s']);
    assert.deepEqual([f.watchOptions, f.intervalMs], [{ events: true, failOn: 'kill' }, 2000]);
    assert.throws(() => parseCli(['watch', '--fail-on', 'kill']), /--fail-on needs --events/);
    assert.throws(() => parseCli(['watch', '--events', '--fail-on', 'leak']), /--fail-on takes 'kill'/);
    assert.throws(() => parseCli(['diagnose', '--events']), /--events and --fail-on apply to watch/);
  });
  it('fleet: a source is required, --hosts stands alone, --at and --map are checked, fleet flags belong to fleet', () => {
    const p = parseCli(['fleet', '--prometheus', 'http://p:9090', '--window', '6h', '--at', '2026-11-30T00:00:00Z', '--map', 'a:9100=root@a', '--map', 'b=b2']);
    const o = p.fleetOptions!;
    assert.deepEqual(
      [o.prometheus, o.windowMs, o.atMs, o.map, o.hosts, o.concurrency],
      ['http://p:9090', 6 * 3600_000, Date.UTC(2026, 10, 30), { 'a:9100': 'root@a', b: 'b2' }, null, 16],
    );
    assert.equal(parseCli(['fleet', '--prometheus', 'http://p', '--at', '1796083200']).fleetOptions!.atMs, 1796083200_000);
    assert.equal(parseCli(['fleet', '--prometheus', 'http://p']).fleetOptions!.windowMs, 24 * 3600_000);
    const h = parseCli(['fleet', '--hosts', 'web-*', '--concurrency', '4', '--timeout', '10s', '--ssh-config', '/tmp/cfg', '--json']);
    assert.deepEqual(
      [h.fleetOptions!.hosts, h.fleetOptions!.concurrency, h.fleetOptions!.timeoutMs, h.sshConfig, h.json],
      ['web-*', 4, 10_000, '/tmp/cfg', true],
    );
    assert.throws(() => parseCli(['fleet']), /fleet needs --prometheus URL/);
    assert.throws(() => parseCli(['fleet', '--hosts', 'a', '--prometheus', 'http://p']), /--hosts is the fan-out over SSH/);
    assert.throws(() => parseCli(['fleet', '--prometheus', 'http://p', '--concurrency', '4']), /--concurrency and --timeout apply to --hosts/);
    assert.throws(() => parseCli(['fleet', '--hosts', 'a', '--concurrency', '0']), /--concurrency needs a whole number from 1 to 256/);
    assert.throws(() => parseCli(['fleet', '--prometheus', 'http://p', '--at', 'yesterday']), /--at needs a time/);
    assert.throws(() => parseCli(['fleet', '--prometheus', 'http://p', '--map', 'nohost']), /--map needs INSTANCE=SSHHOST/);
    assert.throws(() => parseCli(['fleet', '--prometheus', 'http://p', '--host', 'x']), /--host applies to one host/);
    assert.throws(() => parseCli(['diagnose', '--prometheus', 'http://p']), /--prometheus applies to fleet/);
  });
});
