import * as vscode from 'vscode';
import type { SshCallbacks } from '../core/host/ssh';

/**
 * The UI the SSH core asks for, as VS Code dialogs: an unknown host key shows its SHA256
 * fingerprint and asks (accept once / accept and remember / cancel; never auto-accepted); key
 * passphrases and passwords are asked in a password box and never stored.
 */
export function vscodeSshCallbacks(): SshCallbacks {
  return {
    async onUnknownHostKey(i) {
      const once = 'Accept Once';
      const remember = 'Accept and Remember';
      const other = i.otherKnownTypes?.length ? ` (known_hosts already has a ${i.otherKnownTypes.join(', ')} key for it)` : '';
      const answer = await vscode.window.showWarningMessage(
        `OOM Lens: the authenticity of host "${i.host}${i.port === 22 ? '' : `:${i.port}`}" can't be established${other}.`,
        {
          modal: true,
          detail: `${i.keyType} key fingerprint is ${i.fingerprint}.\n\nCompare it with the server's own key (ssh-keygen -lf /etc/ssh/ssh_host_${i.keyType.replace(/^ssh-|-.*$/g, '')}_key.pub) before accepting. "Remember" adds it to ${i.knownHostsFile}.`,
        },
        once,
        remember,
      );
      return answer === remember ? 'remember' : answer === once ? 'once' : 'cancel';
    },
    async askPassphrase(i) {
      return vscode.window.showInputBox({
        title: 'OOM Lens: SSH key passphrase',
        password: true,
        ignoreFocusOut: true,
        prompt: `${i.wrong ? 'Wrong passphrase. ' : ''}Passphrase for ${i.keyPath}`,
      });
    },
    async askPassword(i) {
      return vscode.window.showInputBox({
        title: `OOM Lens: ${i.user}@${i.host}`,
        password: !i.echo,
        ignoreFocusOut: true,
        prompt: i.prompt || `Password for ${i.user}@${i.host}`,
      });
    },
  };
}
