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
    default:
      return false;
  }
}
