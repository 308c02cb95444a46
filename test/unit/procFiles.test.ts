import { strict as assert } from 'node:assert';
import { kb, int, parseMeminfoLines, memoryInfo, parsePressure, parsePasswd, memoryCgroupOf } from '../../src/core/parse/procFiles';

describe('proc file parsers', () => {
  it('reads kB values and refuses garbage as null, not 0', () => {
    assert.equal(kb('  1234 kB'), 1234);
    assert.equal(kb('0 kB'), 0);
    assert.equal(kb('abc'), null);
    assert.equal(kb(undefined), null);
    assert.equal(int('-1000'), -1000);
    assert.equal(int('12x'), null);
  });

  it('maps meminfo lines to the report memory block, absent keys null', () => {
    const mem = parseMeminfoLines(['MemTotal:       24683656 kB', 'MemAvailable:   23436296 kB', 'Active(anon):      1000 kB', 'garbage']);
    const info = memoryInfo(mem);
    assert.equal(info.totalKb, 24683656);
    assert.equal(info.availableKb, 23436296);
    assert.equal(info.swapTotalKb, null);
    assert.equal(mem.get('Active(anon)'), 1000);
  });

  it('reads PSI some/full lines; missing file is null', () => {
    const p = parsePressure(['some avg10=1.50 avg60=0.20 avg300=0.00 total=123', 'full avg10=0.50 avg60=0.10 avg300=0.00 total=12']);
    assert.deepEqual(p, { someAvg10: 1.5, someAvg60: 0.2, fullAvg10: 0.5, fullAvg60: 0.1 });
    assert.equal(parsePressure(undefined), null);
    assert.equal(parsePressure(['nonsense']), null);
  });

  it('maps uids to names from passwd', () => {
    const u = parsePasswd(['root:x:0:0:root:/root:/bin/bash', 'bad line', 'www-data:x:33:33::/var/www:/usr/sbin/nologin']);
    assert.equal(u.get(0), 'root');
    assert.equal(u.get(33), 'www-data');
    assert.equal(u.size, 2);
  });

  it('finds the memory cgroup: v1 memory controller first, else the v2 line', () => {
    assert.deepEqual(memoryCgroupOf(['12:pids:/a', '4:memory:/docker/abc', '0::/x']), { path: '/docker/abc', version: 1 });
    assert.deepEqual(memoryCgroupOf(['0::/system.slice/nginx.service']), { path: '/system.slice/nginx.service', version: 2 });
    assert.deepEqual(memoryCgroupOf(['3:cpu,memory:/m']), { path: '/m', version: 1 });
    assert.equal(memoryCgroupOf([]), null);
  });
});
