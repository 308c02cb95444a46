// Time stamps as printed by dmesg -T (any locale), dmesg --human, syslog and journald.
//
// Decision on zone-less wall clocks: `dmesg -T` prints the local wall clock with a year but no zone.
// The contract's own example maps "Mon Dec  8 17:51:31 2025" to "2025-12-08T17:51:31.000Z", so when
// a stamp gives year, month, day and time we report that wall clock as ISO with a "Z" (the zone is
// not printed, the clock reading is). Stamps without a year (syslog "Jun 20 12:47:02", dmesg
// --human "[Jul 5 16:27]") keep only timeText: the year is not in the input and is never guessed.
// Stamps that carry a zone (RFC 3339, journal JSON) are converted to UTC exactly.

// Month abbreviations and names as strftime %b/%B prints them in common locales, lower-cased and
// without accents or trailing dots. None of these collide across locales with a different month.
const MONTHS: Record<string, number> = {};
function add(month: number, ...names: string[]): void {
  for (const n of names) MONTHS[n] = month;
}
add(
  1,
  'jan',
  'january',
  'janv',
  'janvier',
  'januar',
  'jänner',
  'janner',
  'ene',
  'enero',
  'gen',
  'gennaio',
  'janeiro',
  'januari',
  'sty',
  'styczen',
  'янв',
  'января',
  'январь',
  '1月',
  'led',
  'tammi',
  'ocak',
);
add(
  2,
  'feb',
  'february',
  'fev',
  'fevr',
  'fevrier',
  'februar',
  'febrero',
  'febbraio',
  'fevereiro',
  'februari',
  'lut',
  'luty',
  'фев',
  'февр',
  'февраля',
  'февраль',
  '2月',
  'uno',
  'helmi',
  'şub',
  'sub',
);
add(
  3,
  'mar',
  'march',
  'mars',
  'mär',
  'maer',
  'marz',
  'märz',
  'marzo',
  'marco',
  'março',
  'mrt',
  'maart',
  'маp',
  'мар',
  'марта',
  'март',
  '3月',
  'bre',
  'maalis',
  'mart',
);
add(4, 'apr', 'april', 'avr', 'avril', 'abr', 'abril', 'aprile', 'kwi', 'апр', 'апреля', 'апрель', '4月', 'dub', 'huhti', 'nis');
add(5, 'may', 'mai', 'mayo', 'mag', 'maggio', 'maio', 'mei', 'maj', 'мая', 'май', '5月', 'kvě', 'touko', 'mayıs');
add(6, 'jun', 'june', 'juin', 'juni', 'junio', 'giu', 'giugno', 'junho', 'cze', 'июн', 'июня', 'июнь', '6月', 'čvn', 'kesä', 'haz');
add(7, 'jul', 'july', 'juil', 'juillet', 'juli', 'julio', 'lug', 'luglio', 'julho', 'lip', 'июл', 'июля', 'июль', '7月', 'čvc', 'heinä', 'tem');
add(8, 'aug', 'august', 'aout', 'août', 'ago', 'agosto', 'augustus', 'sie', 'авг', 'августа', 'август', '8月', 'srp', 'elo', 'ağu');
add(
  9,
  'sep',
  'sept',
  'september',
  'septembre',
  'set',
  'septiembre',
  'settembre',
  'setembro',
  'wrz',
  'сен',
  'сент',
  'сентября',
  'сентябрь',
  '9月',
  'zář',
  'syys',
  'eyl',
);
add(
  10,
  'oct',
  'october',
  'octobre',
  'okt',
  'oktober',
  'octubre',
  'ott',
  'ottobre',
  'out',
  'outubro',
  'paź',
  'paz',
  'окт',
  'октября',
  'октябрь',
  '10月',
  'říj',
  'loka',
  'eki',
);
add(11, 'nov', 'november', 'novembre', 'noviembre', 'novembro', 'lis', 'ноя', 'нояб', 'ноября', 'ноябрь', '11月', 'marras', 'kas');
add(
  12,
  'dec',
  'december',
  'dez',
  'dezember',
  'déc',
  'decembre',
  'dic',
  'diciembre',
  'dicembre',
  'dezembro',
  'gru',
  'дек',
  'декабря',
  'декабрь',
  '12月',
  'pro',
  'joulu',
  'ara',
);

/** Month number 1-12 for a (possibly localized) month name token, or null when unknown. */
export function monthOf(token: string): number | null {
  let t = token.toLowerCase();
  while (t.endsWith('.') || t.endsWith(',')) t = t.slice(0, -1);
  if (t === '') return null;
  const direct = MONTHS[t];
  if (direct !== undefined) return direct;
  const plain = t.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
  return MONTHS[plain] ?? null;
}

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

/** ISO "YYYY-MM-DDTHH:MM:SS.000Z" for a wall clock, or null if the parts are out of range. */
export function isoFromParts(year: number, month: number, day: number, hh: number, mm: number, ss: number, ms = 0): string | null {
  if (!(year >= 1970 && year <= 2200 && month >= 1 && month <= 12 && day >= 1 && day <= 31)) return null;
  if (!(hh >= 0 && hh <= 23 && mm >= 0 && mm <= 59 && ss >= 0 && ss <= 60)) return null;
  const t = Date.UTC(year, month - 1, day, hh, mm, ss, ms);
  const d = new Date(t);
  if (d.getUTCDate() !== day) return null; // Feb 31 and the like
  return d.toISOString();
}

const DMESG_T_PARTS = /(\S+)\s+(\d{1,2})\.?\s+(\d{1,2}):(\d{2}):(\d{2})\s+(\d{4})$/;
const DMESG_T_DAY_FIRST = /(\d{1,2})\.?\s+(\S+)\s+(\d{1,2}):(\d{2}):(\d{2})\s+(\d{4})$/;

/**
 * Parses the inside of a dmesg -T stamp ("Thu Dec  7 00:05:14 2017", "Mo Dez  8 17:51:31 2025",
 * "lun. déc.  8 17:51:31 2025"); time is null when the month name is not recognised.
 */
export function parseDmesgT(inner: string): string | null {
  let m = DMESG_T_PARTS.exec(inner);
  let month: number | null = null;
  let day = 0;
  if (m) {
    month = monthOf(m[1]);
    day = Number(m[2]);
  }
  if (month === null) {
    m = DMESG_T_DAY_FIRST.exec(inner);
    if (!m) return null;
    month = monthOf(m[2]);
    day = Number(m[1]);
    if (month === null) return null;
  }
  if (!m) return null;
  return isoFromParts(Number(m[6]), month, day, Number(m[3]), Number(m[4]), Number(m[5]));
}

/** RFC 3339 / ISO 8601 stamp with a zone ("2025-12-08T17:51:31.123+01:00", "...+0100", "...Z") to UTC ISO. */
export function parseIsoWithZone(date: string, time: string, frac: string | undefined, zone: string | undefined): string | null {
  if (!zone) {
    // No zone printed: keep the wall clock as printed (same rule as dmesg -T above).
    const [y, mo, d] = date.split('-').map(Number);
    const [hh, mi, ss] = time.split(':').map(Number);
    return isoFromParts(y, mo, d, hh, mi, ss, frac ? Number((frac + '00').slice(0, 3)) : 0);
  }
  let z = zone;
  if (z !== 'Z' && z !== 'z' && z.indexOf(':') < 0) z = z.slice(0, 3) + ':' + z.slice(3);
  const ms = frac ? '.' + (frac + '00').slice(0, 3) : '';
  const t = Date.parse(`${date}T${time}${ms}${z === 'z' ? 'Z' : z}`);
  if (!Number.isFinite(t)) return null;
  return new Date(t).toISOString();
}

/** "Mon, 13 Dec 2021 18:02:42 -0800" (kubectl describe, RFC 1123 with numeric zone) to ISO with its offset. */
export function rfc1123ToIsoWithOffset(text: string): { iso: string; utc: string } | null {
  const m = /^(?:[A-Za-z]{3},\s+)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+(\d{2}):(\d{2}):(\d{2})\s+([+-])(\d{2}):?(\d{2})$/.exec(text.trim());
  if (!m) {
    const z = /^(?:[A-Za-z]{3},\s+)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+(\d{2}):(\d{2}):(\d{2})\s+(UTC|GMT|Z)$/.exec(text.trim());
    if (!z) return null;
    const mo = monthOf(z[2]);
    if (!mo) return null;
    const utc = isoFromParts(+z[3], mo, +z[1], +z[4], +z[5], +z[6]);
    if (!utc) return null;
    return { iso: `${z[3]}-${pad2(mo)}-${pad2(+z[1])}T${z[4]}:${z[5]}:${z[6]}Z`, utc };
  }
  const mo = monthOf(m[2]);
  if (!mo) return null;
  const local = isoFromParts(+m[3], mo, +m[1], +m[4], +m[5], +m[6]);
  if (!local) return null;
  const offsetMin = (m[7] === '-' ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9]));
  const utc = new Date(Date.parse(local) - offsetMin * 60000).toISOString();
  const iso = `${m[3]}-${pad2(mo)}-${pad2(+m[1])}T${m[4]}:${m[5]}:${m[6]}${m[7]}${m[8]}:${m[9]}`;
  return { iso, utc };
}
