// Go heap profiles as `go tool pprof -top` prints them (text; the protobuf .pprof file is not read):
//
//   File: server
//   Type: inuse_space
//   Showing nodes accounting for 1.50GB, 99.9% of 1.50GB total
//   Dropped 12 nodes (cum <= 7.68MB)
//         flat  flat%   sum%        cum   cum%
//       1.50GB 99.93% 99.93%     1.50GB 99.93%  main.leak
//            0     0% 99.93%     1.50GB 99.93%  main.main
//
// One site per row with flat > 0 (rows with flat 0 only call what allocates), by flat bytes. Sizes
// are 1024-based whatever the unit's name ("kB", "MB"). `-lines` rows ("main.leak /src/main.go:18")
// and `-files` rows (a path) give the frame a file; plain -top gives the function only. The
// *_objects sample types give counts, not bytes. Rows are searched for in the line, not anchored
// at its start, so a log prefix or indentation in a paste is passed over.
import type { LeakFrame, LeakKind, LeakReport, LeakSite } from '../../model/leakReport';
import { emptyLeakReport } from '../../model/leakReport';
import { site, sortSites } from './util';

const VAL = '-?\\d+(?:\\.\\d+)?(?:[kMGTPE]?B)?';
const PCT = '-?\\d+(?:\\.\\d+)?%';
const ROW = new RegExp(`(?:^|\\s)(${VAL})\\s+(${PCT})\\s+(${PCT})\\s+(${VAL})\\s+(${PCT})\\s+(\\S(?:.*\\S)?)\\s*$`);
const HEADER = /\bflat\s+flat%\s+sum%\s+cum\s+cum%/;
const SHOWING = new RegExp(`Showing nodes accounting for (${VAL}), (${PCT}) of (${VAL}) total`);
const TYPE = /(?:^|\s)Type: (\w+)\s*$/;
const FILE = /(?:^|\s)File: (\S(?:.*\S)?)\s*$/;
const DROPPED = /Dropped (\d+) nodes? \(cum <= (\S+)\)/;
const TOP_N = /Showing top (\d+) nodes out of (\d+)/;
const UNITS: Record<string, number> = { B: 1, kB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4, PB: 1024 ** 5, EB: 1024 ** 6 };

/** "1.50GB" -> bytes (pprof scales by 1024); "0" or a bare count -> that number. */
function value(s: string): number {
  const m = /^(-?\d+(?:\.\d+)?)([kMGTPE]?B)?$/.exec(s)!;
  return Math.round(Number(m[1]) * (m[2] ? UNITS[m[2]] : 1));
}

/** The function (and the file of -lines / -files rows) a row names. */
function rowFrame(name: string): LeakFrame {
  const n = name.replace(/ \(inline\)$/, '');
  const lines = /^(\S+) (\S.*):(\d+)$/.exec(n);
  if (lines) return { function: lines[1], file: lines[2], line: Number(lines[3]), object: null };
  if (/^(?:[A-Za-z]:)?[\\/]\S*$|\.(?:go|s|c)$/.test(n)) return { function: null, file: n, line: null, object: null };
  return { function: n, file: null, line: null, object: null };
}

export function parseGoPprofTop(text: string): LeakReport {
  const r = emptyLeakReport('go-pprof');
  const sites: LeakSite[] = [];
  let type: string | null = null;
  let total: number | null = null;
  let header = false;
  let negative = 0;
  const details: Record<string, unknown> = {};
  for (const raw of text.split(/\r\n|\n|\r/)) {
    let m: RegExpExecArray | null;
    if (!header) {
      if ((m = TYPE.exec(raw))) type = m[1];
      else if ((m = FILE.exec(raw))) r.command = m[1];
      else if ((m = SHOWING.exec(raw))) total = value(m[3]);
      else if ((m = DROPPED.exec(raw))) details.droppedNodes = Number(m[1]);
      else if ((m = TOP_N.exec(raw))) details.nodesShown = Number(m[1]);
      else if (HEADER.test(raw)) header = true;
      continue;
    }
    if (HEADER.test(raw)) continue; // a second -top in the same paste: its rows add to the first's
    if (!(m = ROW.exec(raw))) continue;
    const flat = value(m[1]);
    if (flat < 0) {
      negative++;
      continue;
    }
    if (flat === 0) continue;
    sites.push(site(siteKind(type), objects(type) ? 0 : flat, { count: objects(type) ? flat : null, frames: [rowFrame(m[6])] }));
  }
  if (!header) r.warnings.push('no pprof -top table (header "flat  flat%   sum%   cum   cum%") found');
  r.sites = sortSites(sites);
  if (type) details.sampleType = type;
  if (total !== null) {
    if (objects(type)) r.summary.liveCount = total;
    else if (type !== null && type.startsWith('alloc_')) r.summary.totalBytesAllocated = total;
    else r.summary.liveBytes = total;
  }
  if (negative > 0) r.warnings.push(`${negative} row(s) with a negative flat value (pprof -diff_base output) were left out`);
  if (objects(type)) r.warnings.push(`sample type ${type}: object counts, not bytes (use -sample_index=inuse_space for bytes)`);
  // The extension can put a site beside the code only with a file: say how to get one.
  if (sites.length > 0 && sites.every((s) => s.frames[0].file === null))
    r.warnings.push('pprof -top names functions only, no file:line: `go tool pprof -top -lines` gives the source line of each site');
  if (Object.keys(details).length > 0) r.details = details;
  return r;
}

function objects(type: string | null): boolean {
  return type !== null && type.endsWith('_objects');
}

function siteKind(type: string | null): LeakKind {
  return type !== null && type.startsWith('alloc_') ? 'allocated' : 'retained';
}
