// Runtime checks of messages crossing the webview boundary (both directions). A message that
// fails is dropped and logged, never acted on. Plain JS: runs in Node and in the browser.
import type { FromWebview, ToWebview } from './messages';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';

export function isFromWebview(v: unknown): v is FromWebview {
  if (!isObj(v) || !isStr(v.type)) return false;
  switch (v.type) {
    case 'ready':
    case 'diagnose':
      return true;
    case 'copy':
      return isStr(v.text) && v.text.length <= 100_000;
    case 'smaps':
    case 'findLeaks':
    case 'kill':
      return typeof v.pid === 'number' && Number.isSafeInteger(v.pid) && v.pid > 0;
    case 'fix':
      return isStr(v.key) && v.key.length <= 400 && typeof v.remedy === 'number' && Number.isSafeInteger(v.remedy) && v.remedy >= 0;
    case 'sampling':
      return v.action === 'start' || v.action === 'stop';
    case 'export':
      return v.format === 'md' || v.format === 'html' || v.format === 'json';
    case 'openHost':
    case 'diagnoseHost':
      return isStr(v.instance) && v.instance.length > 0 && v.instance.length <= 1000;
    case 'log':
      return (v.level === 'info' || v.level === 'warn' || v.level === 'error') && isStr(v.message);
    default:
      return false;
  }
}

function isReport(r: unknown): r is Obj {
  return (
    isObj(r) &&
    r.version === 1 &&
    isObj(r.memory) &&
    Array.isArray(r.processes) &&
    Array.isArray(r.events) &&
    Array.isArray(r.findings) &&
    Array.isArray(r.growth)
  );
}

const isRows = (v: unknown) => Array.isArray(v) && v.every((h) => isObj(h) && Array.isArray(h.signals));

function isFleetReport(r: unknown): boolean {
  return isObj(r) && r.version === 1 && isStr(r.takenAt) && isRows(r.hosts) && isRows(r.pods) && Array.isArray(r.sources) && Array.isArray(r.findings);
}

/** Every series has one value (or null) per point of t; kills have a time and a count. */
function isHostSeries(s: unknown): boolean {
  if (!isObj(s) || s.version !== 1 || !isStr(s.instance) || !Array.isArray(s.t) || !Array.isArray(s.kills)) return false;
  const n = s.t.length;
  const series = [s.usedKb, s.availableKb, s.swapUsedKb, s.psiSomePct, s.psiFullPct];
  return (
    s.t.every((x) => typeof x === 'number') &&
    series.every((y) => Array.isArray(y) && y.length === n && y.every((v) => v === null || typeof v === 'number')) &&
    s.kills.every((k) => isObj(k) && typeof k.timeMs === 'number' && typeof k.count === 'number') &&
    Array.isArray(s.absent)
  );
}

export function isToWebview(v: unknown): v is ToWebview {
  if (!isObj(v) || !isStr(v.type)) return false;
  switch (v.type) {
    case 'report':
      return isReport(v.report) && isStr(v.receivedAt);
    case 'live':
      return (
        isReport(v.report) &&
        (v.report.samples === undefined || (isObj(v.report.samples) && Array.isArray(v.report.samples.t) && isObj(v.report.samples.processes)))
      );
    case 'smaps':
      return isObj(v.smaps) && typeof v.smaps.pid === 'number' && Array.isArray(v.smaps.rows);
    case 'log':
      return isStr(v.path) && isObj(v.result) && Array.isArray(v.result.events) && Array.isArray(v.result.warnings);
    case 'busy':
    case 'error':
      return isStr(v.message);
    case 'fleet':
      return isFleetReport(v.report);
    case 'hostSeries':
      return isHostSeries(v.series);
    default:
      return false;
  }
}
