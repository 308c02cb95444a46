// The generated sh script that follows a host's kernel log live: it picks ONE long-running source
// that prints only NEW kernel messages (journald, the ring buffer, or a syslog file), says which in
// an `@@oomlens follow <kind> <detail>` line, and exec's it, so cancelling the command (the local
// process group, or the SSH channel) ends the follower too. POSIX sh: runs under dash and busybox.
import { FRAME } from '../parse/frame';
import { OOM_DAEMON_MATCHES, SYSLOG_KEEP } from './kernelLogScript';

export interface LogFollowScriptOptions {
  /** Prefix privileged reads with `sudo -n` (never prompts). */
  sudo?: boolean;
}

/** Syslog files that hold kernel lines, in the order they are tried. */
export const FOLLOW_FILES = ['/var/log/kern.log', '/var/log/messages', '/var/log/syslog'];

export function logFollowScript(opts: LogFollowScriptOptions = {}): string {
  const sudo = opts.sudo ? 'sudo -n ' : '';
  return [
    'LC_ALL=C; export LC_ALL',
    // uptime and now give the boot time, for the ring buffer's uptime stamps.
    `echo "${FRAME} meta uptime $(cut -d' ' -f1 /proc/uptime 2>/dev/null) now $(date +%s)"`,
    "why=''",
    ...journal(sudo),
    ...ringBuffer(sudo),
    ...files(sudo),
    `echo "${FRAME} follow none $why"`,
    '',
  ].join('\n');
}

/** journald, when it holds kernel messages this user may read. */
function journal(sudo: string): string[] {
  return [
    'if command -v journalctl >/dev/null 2>&1; then',
    `  if [ -n "$(${sudo}journalctl -k -n 1 -q --no-pager 2>/dev/null)" ]; then`,
    `    echo '${FRAME} follow journal'`,
    // the kernel's messages of this boot, or (+) the userspace OOM killers' own
    `    exec ${sudo}journalctl -b -f -n 0 -o short-iso-precise -q --no-pager _TRANSPORT=kernel + ${OOM_DAEMON_MATCHES} </dev/null 2>&1`,
    '  fi',
    "  why='journald: no kernel messages (none kept, or not readable by this user)'",
    'else',
    "  why='no journalctl'",
    'fi',
  ];
}

/**
 * The ring buffer. `dmesg -W` prints only new messages (util-linux 2.37+); `dmesg -w` prints the
 * whole buffer first (the reader then drops events older than its start); busybox dmesg follows
 * nothing, so it falls through to the files.
 */
function ringBuffer(sudo: string): string[] {
  return [
    'if command -v dmesg >/dev/null 2>&1; then',
    // Only dmesg's error text is kept (its output, the whole buffer, goes nowhere).
    `  err=$(${sudo}dmesg 2>&1 >/dev/null); s=$?`,
    '  if [ $s -eq 0 ]; then',
    '    if dmesg --help 2>&1 | grep -q -- --follow-new; then',
    `      echo '${FRAME} follow dmesg follow-new'`,
    `      exec ${sudo}dmesg -W </dev/null 2>&1`,
    "    elif dmesg --help 2>&1 | grep -q -- '--follow'; then",
    `      echo '${FRAME} follow dmesg whole-buffer'`,
    `      exec ${sudo}dmesg -w </dev/null 2>&1`,
    '    fi',
    '    why="$why; dmesg: cannot follow (no -w)"',
    '  else',
    '    why="$why; $(printf \'%s\\n\' "${err:-dmesg: exit code $s}" | head -n 1)"',
    '  fi',
    'else',
    '  why="$why; no dmesg"',
    'fi',
  ];
}

/** The first readable syslog file; messages and syslog hold every program's lines: the kernel's carry "kernel:", the OOM killers' their tag. */
function files(sudo: string): string[] {
  return [
    // grep --line-buffered so lines are not held back in grep's buffer (GNU grep; busybox has none).
    "lb=''; echo x | grep --line-buffered x >/dev/null 2>&1 && lb='--line-buffered'",
    `for f in ${FOLLOW_FILES.join(' ')}; do`,
    '  [ -e "$f" ] || continue',
    `  if ! ${sudo}head -c 0 "$f" >/dev/null 2>&1; then why="$why; $f: not readable"; continue; fi`,
    `  echo "${FRAME} follow file $f"`,
    '  case "$f" in',
    `    */kern.log) exec ${sudo}tail -n 0 -F "$f" </dev/null 2>&1;;`,
    // No line-buffered grep: send every line, the reader keeps the kernel's (no exec: a pipeline).
    `    *) if [ -n "$lb" ]; then ${sudo}tail -n 0 -F "$f" </dev/null 2>&1 | grep -aE $lb '${SYSLOG_KEEP}'; exit $?; fi`,
    `       exec ${sudo}tail -n 0 -F "$f" </dev/null 2>&1;;`,
    '  esac',
    'done',
    `why="$why; no readable ${FOLLOW_FILES.join(', ')}"`,
  ];
}
