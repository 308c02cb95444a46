// Text from hosts, logs and reports reaches a terminal only with its control characters made
// visible (as ps and OpenSSH do): a process name, a victim in a log, a server's prompt or a
// quoted first line could otherwise move the cursor, retitle the window or fake a prompt.
// Newlines and tabs are layout and stay; everything else in C0, DEL and C1 becomes \xNN.

// eslint-disable-next-line no-control-regex -- matching exactly these is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

export function terminalSafe(text: string): string {
  return text.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** For one-line fields (a prompt, a name): newlines too. */
export function terminalSafeLine(text: string): string {
  return terminalSafe(text).replace(/\r?\n/g, '\\n').replace(/\t/g, '\\t');
}
