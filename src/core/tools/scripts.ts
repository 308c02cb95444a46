// Small programs the runners inject into the user's program: a Python bootstrap for tracemalloc
// and a Node preload for heap snapshots. Both are passed as arguments / written to the work dir,
// never interpolated into a shell command.

/**
 * Python: `python3 -c TRACEMALLOC_BOOTSTRAP OUT INTERVAL FRAMES TOP SCRIPT ARGS…`.
 * Starts tracemalloc with FRAMES frames, takes a snapshot, runs SCRIPT as __main__ (its globals are
 * kept alive, so what the script still holds at exit is seen), and writes the `compare_to(first,
 * 'traceback')` differences as StatisticDiff reprs to OUT: every INTERVAL seconds (atomically,
 * so a killed run still leaves the last one) and at exit. SIGTERM exits through `finally`.
 */
export const TRACEMALLOC_BOOTSTRAP = String.raw`import sys, os, types, tracemalloc, threading, signal
_out = sys.argv[1]; _interval = float(sys.argv[2]); _frames = int(sys.argv[3]); _top = int(sys.argv[4]); _script = sys.argv[5]
sys.argv = sys.argv[5:]
sys.path[0] = os.path.dirname(os.path.abspath(_script))
with open(_script, 'rb') as _f: _code = compile(_f.read(), _script, 'exec')
_main = types.ModuleType('__main__'); _main.__file__ = _script; _main.__builtins__ = __builtins__
sys.modules['__main__'] = _main
_skip = (tracemalloc.__file__, '<string>', threading.__file__)
tracemalloc.start(_frames)
_first = tracemalloc.take_snapshot()
_lock = threading.Lock()
_n = [1]
def _write(final):
    with _lock:
        s = tracemalloc.take_snapshot(); _n[0] += 1
        diff = s.compare_to(_first, 'traceback')
        cur, peak = tracemalloc.get_traced_memory()
        tmp = _out + '.tmp'
        with open(tmp, 'w') as f:
            f.write('[ Top %d differences ]\n' % _top)
            k = 0
            for st in diff:
                if k >= _top: break
                if st.traceback[-1].filename in _skip: continue
                if st.size_diff <= 0 and st.count_diff <= 0: continue
                f.write(repr(st) + '\n'); k += 1
            f.write('Traced Python memory: size=%d B\n' % cur)
            f.write('oomlens.snapshots: %d\noomlens.final: %s\noomlens.peak_bytes: %d\n' % (_n[0], 'yes' if final else 'no', peak))
        os.replace(tmp, _out)
_done = threading.Event()
def _tick():
    while not _done.wait(_interval):
        try: _write(False)
        except Exception: pass
if _interval > 0: threading.Thread(target=_tick, name='oom-lens-tracemalloc', daemon=True).start()
def _term(signum, frame): sys.exit(128 + signum)
signal.signal(signal.SIGTERM, _term)
try:
    exec(_code, _main.__dict__)
finally:
    _done.set(); _write(True)
`;

/**
 * Node: loaded with `--require`. Writes `before.heapsnapshot` before the user's code runs and
 * `after.heapsnapshot` at exit into $OOM_LENS_SNAPSHOT_DIR. SIGINT/SIGTERM exit through 'exit'
 * when the program has no handler of its own.
 */
export const NODE_SNAPSHOT_PRELOAD = String.raw`'use strict';
const v8 = require('v8'); const path = require('path');
const dir = process.env.OOM_LENS_SNAPSHOT_DIR;
if (dir) {
  delete process.env.OOM_LENS_SNAPSHOT_DIR;
  v8.writeHeapSnapshot(path.join(dir, 'before.heapsnapshot'));
  let written = false;
  process.on('exit', () => { if (!written) { written = true; v8.writeHeapSnapshot(path.join(dir, 'after.heapsnapshot')); } });
  for (const [sig, n] of [['SIGINT', 2], ['SIGTERM', 15]]) {
    const h = () => { if (process.listenerCount(sig) === 1) process.exit(128 + n); };
    process.on(sig, h);
  }
}
`;

/**
 * Node attach (runs on the host with the host's node, Node >= 20.10 with --experimental-websocket or
 * >= 22): `node NODE_ATTACH_SCRIPT PID SECONDS SAMPLING_BYTES OUT`. Sends SIGUSR1 to PID (opens its
 * inspector on 127.0.0.1:9229), finds the target's WebSocket URL, records a sampling heap profile
 * for SECONDS (or until SIGTERM), and writes it to OUT.
 */
export const NODE_ATTACH_SCRIPT = String.raw`'use strict';
const [pid, seconds, interval, out] = process.argv.slice(2);
const fs = require('fs');
if (typeof WebSocket !== 'function') { console.error('oom-lens: this node has no WebSocket client (needs Node >= 22, or >= 20.10 with --experimental-websocket)'); process.exit(3); }
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function targets() {
  for (let i = 0; i < 50; i++) {
    for (const port of [9229, 9230, 9231]) {
      try {
        const list = await (await fetch('http://127.0.0.1:' + port + '/json/list')).json();
        const t = list.find((x) => x.webSocketDebuggerUrl && (!x.pid || String(x.pid) === pid));
        if (t) return t.webSocketDebuggerUrl;
      } catch {}
    }
    await sleep(100);
  }
  throw new Error('the inspector of process ' + pid + ' did not open on 127.0.0.1:9229');
}
(async () => {
  process.kill(Number(pid), 'SIGUSR1');
  const url = await targets();
  console.log('oom-lens: connected to ' + url);
  const ws = new WebSocket(url);
  await new Promise((res, rej) => { ws.onopen = res; ws.onerror = () => rej(new Error('cannot connect to ' + url)); });
  let id = 0; const pending = new Map();
  ws.onmessage = (e) => { const m = JSON.parse(e.data); if (m.id && pending.has(m.id)) { const p = pending.get(m.id); pending.delete(m.id); m.error ? p.rej(new Error(m.error.message)) : p.res(m.result); } };
  const call = (method, params) => new Promise((res, rej) => { const i = ++id; pending.set(i, { res, rej }); ws.send(JSON.stringify({ id: i, method, params })); });
  await call('HeapProfiler.enable');
  await call('HeapProfiler.startSampling', { samplingInterval: Number(interval) });
  console.log('oom-lens: recording a sampling heap profile for ' + seconds + ' s');
  await new Promise((res) => { const t = setTimeout(res, Number(seconds) * 1000); process.once('SIGTERM', () => { clearTimeout(t); res(); }); });
  const { profile } = await call('HeapProfiler.stopSampling');
  fs.writeFileSync(out, JSON.stringify(profile));
  try { await call('Runtime.evaluate', { expression: 'process._debugEnd && process._debugEnd()' }); } catch {}
  ws.close();
  console.log('oom-lens: wrote ' + out);
  process.exit(0);
})().catch((e) => { console.error('oom-lens: ' + e.message); process.exit(1); });
`;
