// "20s", "5m", "1h30m", "500ms", "2" (seconds) -> milliseconds; null when it is not a duration.
const UNIT: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(text: string): number | null {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    if (m.index !== consumed) return null;
    total += Number(m[1]) * UNIT[m[2]];
    consumed = m.index + m[0].length;
  }
  return consumed === t.length && consumed > 0 ? Math.round(total) : null;
}
