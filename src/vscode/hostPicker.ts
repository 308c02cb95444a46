import * as vscode from 'vscode';
import type { Host } from '../core/host/host';
import { LocalHost } from '../core/host/localHost';

export const THIS_MACHINE_LABEL = 'This machine';

/** The host quick pick. "This machine" is where the extension host runs: in a Remote-SSH window, the remote. */
export async function pickHost(): Promise<Host | undefined> {
  const local = new LocalHost();
  const where = vscode.env.remoteName ? `${vscode.env.remoteName} remote: ${local.name}` : local.name;
  const items: (vscode.QuickPickItem & { make: () => Host })[] = [
    { label: `$(vm) ${THIS_MACHINE_LABEL}`, description: where, detail: 'Read /proc on the machine the extension runs on', make: () => local },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: 'OOM Lens: Diagnose OOM on Host', placeHolder: 'Which host ran out of memory?', ignoreFocusOut: true });
  return picked?.make();
}
