// The OOM killer's task table ("Tasks state (memory values in pages):" then "[ pid ]   uid  tgid
// total_vm      rss ... name"). Its columns changed across kernels, so rows are read by the header
// that precedes them; when the header is outside the excerpt the layout is inferred from how many
// numbers a row has (and, for the three 7-number layouts, from what the numbers look like).

import type { OomTask } from '../../model/oomEvent';
import { int, pastedInt } from './numbers';

export type Column =
  | 'uid'
  | 'tgid'
  | 'total_vm'
  | 'rss'
  | 'rss_anon'
  | 'rss_file'
  | 'rss_shmem'
  | 'pgtables_bytes'
  | 'nr_ptes'
  | 'nr_pmds'
  | 'swapents'
  | 'oom_score_adj'
  | 'oom_adj'
  | 'cpu'
  | 'unknown';

export type Layout = Column[];

const KNOWN = new Set<string>([
  'uid',
  'tgid',
  'total_vm',
  'rss',
  'rss_anon',
  'rss_file',
  'rss_shmem',
  'pgtables_bytes',
  'nr_ptes',
  'nr_pmds',
  'swapents',
  'oom_score_adj',
  'oom_adj',
  'cpu',
]);

// Docker for Mac's log forwarder ate the header's "[ " (it read "[ pid ]" as a stamp); the rest is intact.
const HEADER = /^(?:\[ {0,8})?pid {0,8}\]\s+uid\s/;
const ROW = /^\[ {0,12}(\d{1,10})\]/;

/** Columns after "[ pid ]" up to (not including) "name", or null when the line is not a table header. */
export function parseHeader(text: string): Layout | null {
  if (!HEADER.test(text)) return null;
  const tokens = text
    .slice(text.indexOf(']') + 1)
    .trim()
    .split(/\s+/);
  const cols: Layout = [];
  for (const t of tokens) {
    if (t === 'name') break;
    cols.push(KNOWN.has(t) ? (t as Column) : 'unknown');
  }
  return cols.length >= 2 ? cols : null;
}

export function isRowStart(text: string): boolean {
  return text.charCodeAt(0) === 91 && ROW.test(text);
}

const L6: Layout = ['uid', 'tgid', 'total_vm', 'rss', 'cpu', 'oom_adj'];
const L7_26: Layout = ['uid', 'tgid', 'total_vm', 'rss', 'cpu', 'oom_adj', 'oom_score_adj'];
const L7_310: Layout = ['uid', 'tgid', 'total_vm', 'rss', 'nr_ptes', 'swapents', 'oom_score_adj'];
const L7_414: Layout = ['uid', 'tgid', 'total_vm', 'rss', 'pgtables_bytes', 'swapents', 'oom_score_adj'];
const L8: Layout = ['uid', 'tgid', 'total_vm', 'rss', 'nr_ptes', 'nr_pmds', 'swapents', 'oom_score_adj'];
const L10: Layout = ['uid', 'tgid', 'total_vm', 'rss', 'rss_anon', 'rss_file', 'rss_shmem', 'pgtables_bytes', 'swapents', 'oom_score_adj'];

/** Kernel generation known from the event's other lines ("Pid: N, comm:" is 2.6). */
export type KernelHint = 'v26' | 'modern' | null;

function inferLayout(nums: number[], hint: KernelHint, previous: Layout | null): Layout | null {
  const n = nums.length;
  if (previous && previous.length === n) return previous;
  if (n === 6) return L6;
  if (n === 8) return L8;
  if (n === 10) return L10;
  if (n !== 7) return null;
  const x = nums[4];
  const y = nums[5];
  const z = nums[6];
  if (x >= 4096 && x % 4096 === 0) return L7_414;
  if (hint === 'v26') return L7_26;
  const oomAdjLike = y >= -17 && y <= 15 && z >= -1000 && z <= 1000 && x >= 0 && x < 4096;
  const consistent = (y === 0 && z === 0) || (y === -17 && z === -1000) || (y !== 0 && Math.abs(z - Math.round((y * 1000) / 17)) <= 60);
  if (hint !== 'modern' && oomAdjLike && consistent) return L7_26;
  return L7_310;
}

export interface RowResult {
  task: OomTask | null;
  /** Layout used (header, or inferred); null when the row could not be read. */
  layout: Layout | null;
  error: string | null;
}

/** Reads one "[  pid] ..." row with the given header layout, or infers the layout when none. */
export function parseRow(text: string, layout: Layout | null, hint: KernelHint, previous: Layout | null): RowResult {
  const m = ROW.exec(text);
  if (!m) return { task: null, layout: null, error: 'not a task row' };
  const pid = int(m[1]);
  const rest = text.slice(m[0].length);
  // Numeric tokens first, then the name (which may itself contain spaces or digits).
  const nums: number[] = [];
  const ends: number[] = [];
  const want = layout ? layout.length : 12;
  let i = 0;
  const len = rest.length;
  while (nums.length < want) {
    while (i < len && (rest.charCodeAt(i) === 32 || rest.charCodeAt(i) === 9)) i++;
    if (i >= len) break;
    let j = i;
    while (j < len && rest.charCodeAt(j) !== 32 && rest.charCodeAt(j) !== 9) j++;
    const v = pastedInt(rest.slice(i, j));
    if (v === null) break;
    nums.push(v);
    ends.push(j);
    i = j;
  }
  let used = layout;
  if (!used) {
    used = inferLayout(nums, hint, previous);
    // A name that starts with a number token ("1234 worker") adds one number too many.
    if (!used && nums.length > 1) {
      const shorter = inferLayout(nums.slice(0, -1), hint, previous);
      if (shorter) {
        used = shorter;
        nums.pop();
        ends.pop();
      }
    }
    if (!used) return { task: null, layout: null, error: `task table row without a header has ${nums.length} number columns, a layout no kernel prints` };
  }
  if (nums.length < used.length) {
    return { task: null, layout: used, error: `task table row has ${nums.length} of ${used.length} number columns` };
  }
  const nameStart = ends[used.length - 1] ?? 0;
  const name = rest.slice(nameStart).trim();
  const task: OomTask = {
    pid,
    uid: null,
    tgid: null,
    totalVmPages: null,
    rssPages: null,
    rssAnonPages: null,
    rssFilePages: null,
    rssShmemPages: null,
    pgtablesBytes: null,
    swapEntries: null,
    oomScoreAdj: null,
    name: name === '' ? null : name,
  };
  for (let k = 0; k < used.length; k++) {
    const v = nums[k];
    switch (used[k]) {
      case 'uid':
        task.uid = v;
        break;
      case 'tgid':
        task.tgid = v;
        break;
      case 'total_vm':
        task.totalVmPages = v;
        break;
      case 'rss':
        task.rssPages = v;
        break;
      case 'rss_anon':
        task.rssAnonPages = v;
        break;
      case 'rss_file':
        task.rssFilePages = v;
        break;
      case 'rss_shmem':
        task.rssShmemPages = v;
        break;
      case 'pgtables_bytes':
        task.pgtablesBytes = v;
        break;
      case 'swapents':
        task.swapEntries = v;
        break;
      case 'oom_score_adj':
        task.oomScoreAdj = v;
        break;
      case 'oom_adj':
        task.oomAdj = v;
        break;
      case 'cpu':
        task.cpu = v;
        break;
      case 'nr_ptes':
        task.nrPtes = v;
        break;
      case 'nr_pmds':
        task.nrPmds = v;
        break;
      default:
        break;
    }
  }
  return { task, layout: used, error: null };
}
