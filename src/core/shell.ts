// Everything that puts a value into a shell command line, in one place: quoting, and the checks
// that let only integers and plain words through. No string from a host or a log reaches a
// command any other way.
/** Quotes one word for POSIX sh. Every path that reaches a command line goes through here. */
export function shQuote(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Integer pids only: nothing from a host is ever pasted into a command unless it is a number. */
export function pidArg(pid: number | null | undefined): string {
  return pid != null && Number.isInteger(pid) && pid > 0 ? String(pid) : '<PID>';
}

/** A cgroup path safe to show inside a suggested command (no spaces, quotes or '..'); else the placeholder. */
export function safePath(s: string | null | undefined, placeholder: string): string {
  return s && /^[A-Za-z0-9_.@:/-]{1,400}$/.test(s) && !s.split('/').includes('..') ? s : placeholder;
}

/** A word safe to show inside a suggested command (unit names, container ids); else the placeholder. */
export function safeWord(s: string | null | undefined, placeholder: string): string {
  return s && /^[A-Za-z0-9_.@:-]{1,200}$/.test(s) ? s : placeholder;
}

/** True when the value is a plain word (what safeWord lets through). */
export const isSafeWord = (s: string): boolean => safeWord(s, '') !== '';
