// The generated sh script that reads a host's kernel log from every place it keeps one, in ONE
// command: journald (all boots), the kernel ring buffer (dmesg), then kern.log / messages / syslog
// and their rotated .gz files; and, when the host has them, the container platforms' own record of
// OOM-killed containers (`docker inspect` of every container, `kubectl get pods -A -o json`).
// Each source is framed by an `@@oomlens source …` line and ends with an `@@oomlens status …`
// line carrying its exit code, so failures are reported per source.
import { FRAME } from '../parse/frame';

export interface KernelLogScriptOptions {
  /** Prefix privileged reads with `sudo -n` (never prompts). */
  sudo?: boolean;
  /** Skip the journal, the ring buffer and the container platforms; read only files (tests, or a user's choice). */
  filesOnly?: boolean;
}

/**
 * Seconds a container platform's CLI may take: a hung daemon, or a kubeconfig pointing at a
 * cluster that does not answer, must not hold a diagnosis up for long.
 */
const PLATFORM_TIMEOUT_S = 8;
const KUBECTL_REQUEST_TIMEOUT_S = 5;

const FILE_GLOBS = ['/var/log/kern.log*', '/var/log/messages*', '/var/log/syslog*'];
/** The userspace OOM killers whose journal lines are read (their syslog identifiers). */
export const OOM_DAEMONS = ['systemd-oomd', 'earlyoom', 'nohang', 'nohang-desktop', 'oomd'];
/** messages/syslog lines kept: the kernel's, and the userspace OOM killers' (an ERE for grep -E, and the same as a RegExp). */
// A group around the digits ("\[([0-9]+)\]"): no "[[" in the script for a bashism check to trip on.
export const SYSLOG_KEEP = `kernel:|(${OOM_DAEMONS.join('|')})\\[([0-9]+)\\]:`;
export const SYSLOG_KEEP_RE = new RegExp(SYSLOG_KEEP);
/** journalctl matches for the OOM killers' own messages (same-field matches are alternatives). */
export const OOM_DAEMON_MATCHES = OOM_DAEMONS.map((d) => `SYSLOG_IDENTIFIER=${d}`).join(' ');

export function kernelLogScript(opts: KernelLogScriptOptions = {}): string {
  const sudo = opts.sudo ? 'sudo -n ' : '';
  const lines = [
    'LC_ALL=C; export LC_ALL',
    `echo "${FRAME} meta user $(id -un 2>/dev/null) uid $(id -u) groups $(id -Gn 2>/dev/null | tr ' ' ',') dmesg_restrict $(cat /proc/sys/kernel/dmesg_restrict 2>/dev/null) uptime $(cut -d' ' -f1 /proc/uptime) now $(date +%s)"`,
  ];
  if (!opts.filesOnly) {
    lines.push(
      'if command -v journalctl >/dev/null 2>&1; then',
      `  echo "${FRAME} boots $(${sudo}journalctl --list-boots --no-pager 2>/dev/null | awk 'NF{print $1}' | tr '\\n' ',')"`,
      `  echo '${FRAME} source journal'`,
      // _TRANSPORT=kernel rather than -k: -k implies the current boot only.
      `  ${sudo}journalctl _TRANSPORT=kernel -o short-iso-precise --no-pager -q 2>&1; echo "${FRAME} status $?"`,
      'fi',
      'if command -v dmesg >/dev/null 2>&1; then',
      `  echo '${FRAME} source dmesg'`,
      `  ${sudo}dmesg 2>&1; echo "${FRAME} status $?"`,
      'fi',
    );
  }
  if (!opts.filesOnly) {
    // `timeout` where the host has it (coreutils, busybox), so a hung daemon cannot hold the rest.
    const t = `$t ${sudo}`;
    lines.push(
      `t=''; command -v timeout >/dev/null 2>&1 && t='timeout ${PLATFORM_TIMEOUT_S}'`,
      'if command -v docker >/dev/null 2>&1; then',
      `  echo '${FRAME} source docker'`,
      `  ids=$(${t}docker ps -aq --no-trunc 2>&1); s=$?`,
      `  if [ $s -ne 0 ]; then printf '%s\\n' "$ids"; elif [ -n "$ids" ]; then ${t}docker inspect $ids 2>&1; s=$?; fi`,
      `  echo "${FRAME} status $s"`,
      'fi',
      // The userspace OOM killers' own journal: their kills are not kernel messages (oomd's
      // "oomd kill:" copy is, and is the same event). Same-field matches are alternatives.
      'if command -v journalctl >/dev/null 2>&1; then',
      `  echo '${FRAME} source oom-daemons'`,
      `  ${t}journalctl ${OOM_DAEMON_MATCHES} -o short-iso-precise --no-pager -q 2>&1; echo "${FRAME} status $?"`,
      'fi',
      'if command -v kubectl >/dev/null 2>&1; then',
      `  echo '${FRAME} source kubectl'`,
      // The user's own kubeconfig, never root's: no sudo here.
      `  $t kubectl get pods -A -o json --request-timeout=${KUBECTL_REQUEST_TIMEOUT_S}s 2>&1; echo "${FRAME} status $?"`,
      'fi',
    );
  }
  lines.push(
    `for f in ${FILE_GLOBS.join(' ')}; do`,
    '  [ -e "$f" ] || continue',
    `  echo "${FRAME} source file $f"`,
    '  case "$f" in',
    // messages/syslog hold every program's lines; the kernel's all carry "kernel:", the OOM killers' their tag.
    `    *.gz) case "$f" in */kern.log*) ${sudo}gzip -dc "$f" 2>&1;; *) ${sudo}gzip -dc "$f" 2>&1 | grep -aE '${SYSLOG_KEEP}';; esac;;`,
    `    */kern.log*) ${sudo}cat "$f" 2>&1;;`,
    `    *) ${sudo}grep -aE '${SYSLOG_KEEP}' "$f" 2>&1;;`,
    '  esac',
    `  echo "${FRAME} status $?"`,
    'done',
    `echo '${FRAME} end'`,
    '',
  );
  return lines.join('\n');
}
