// The Go-template pieces of the rules' annotations, and a small expander of exactly those pieces:
// `promtool test rules` compares expanded annotations, so the test generator must know what
// Prometheus will print. promtool then proves the expander right against the real templates.

/** The host name of a scrape target: its instance label without the port (oom-lens --host wants an SSH host). */
export const HOST = '{{ $labels.instance | reReplaceAll ":[0-9]+$" "" }}';
export const VALUE_PERCENT = '{{ $value | humanizePercentage }}';
export const VALUE = '{{ $value | humanize }}';
export const label = (name: string) => `{{ $labels.${name} }}`;
/** `text` when the label is set (e.g. the node of a pod, when kube_pod_info knows it), else `otherwise`. */
export const ifLabel = (name: string, text: string, otherwise = '') => `{{ if $labels.${name} }}${text}${otherwise ? `{{ else }}${otherwise}` : ''}{{ end }}`;

/** Four significant digits rounded as Go rounds (half to even on exact ties): digits and exponent. */
function fourDigits(v: number): { digits: string; exp: number } {
  const [m, e] = Math.abs(v).toExponential(19).split('e');
  const all = m.replace('.', '');
  let n = Number(all.slice(0, 4));
  const rest = all.slice(4);
  const half = '5'.padEnd(rest.length, '0');
  if (rest > half || (rest === half && n % 2 === 1)) n++;
  let exp = Number(e);
  if (n === 10_000) {
    n = 1000;
    exp++;
  }
  return { digits: String(n), exp };
}

/** Go's %.4g: four significant digits, no trailing zeros, exponent below 1e-4 and from 1e4. */
export function goG4(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  if (v === 0) return '0';
  const sign = v < 0 ? '-' : '';
  const { digits, exp } = fourDigits(v);
  const strip = (s: string) => (s.includes('.') ? s.replace(/\.?0*$/, '') : s);
  if (exp < -4 || exp >= 4) return `${sign}${strip(`${digits[0]}.${digits.slice(1)}`)}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  // Place the decimal point: exp 1 -> "12.34", exp -2 -> "0.01234".
  const text = exp >= 0 ? `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}` : `0.${'0'.repeat(-exp - 1)}${digits}`;
  return sign + strip(text);
}

/** Prometheus's humanize: SI prefixes (k, M, G… and m, u, n…) and %.4g. */
export function humanize(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return goG4(v);
  let prefix = '';
  if (Math.abs(v) >= 1) {
    for (const p of ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y']) {
      if (Math.abs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
  } else {
    for (const p of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
      if (Math.abs(v) >= 1) break;
      prefix = p;
      v *= 1000;
    }
  }
  return `${goG4(v)}${prefix}`;
}

const ACTION = /\{\{\s*(.*?)\s*\}\}/g;

function action(body: string, labels: Record<string, string>, value: number): string {
  let m = /^\$labels\.(\w+)$/.exec(body);
  if (m) return labels[m[1]] ?? '';
  m = /^\$labels\.(\w+) \| reReplaceAll "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)"$/.exec(body);
  if (m) return (labels[m[1]] ?? '').replace(new RegExp(m[2]), m[3]);
  if (body === '$value | humanizePercentage') return `${goG4(value * 100)}%`;
  if (body === '$value | humanize') return humanize(value);
  throw new Error(`alert template action not supported by the expander: {{ ${body} }}`);
}

/** Expands the template pieces above (and only those: anything else throws, so a new piece cannot go untested). */
export function expandTemplate(template: string, labels: Record<string, string>, value: number): string {
  const conditional = template.replace(
    /\{\{ if \$labels\.(\w+) \}\}(.*?)(?:\{\{ else \}\}(.*?))?\{\{ end \}\}/g,
    (_, name: string, text: string, otherwise?: string) => (labels[name] ? text : (otherwise ?? '')),
  );
  return conditional.replace(ACTION, (_, body: string) => action(body, labels, value));
}
