import * as vscode from 'vscode';
import type { Host } from '../core/host/host';
import { LocalHost } from '../core/host/localHost';
import { hostFromSpec, listConfiguredHosts, parseSpec, defaultSshConfigPath } from '../core/host/ssh';
import { vscodeSshCallbacks } from './sshPrompts';
import { setting } from './settings';
import type { Services } from './services';

export const THIS_MACHINE_LABEL = 'This machine';
const RECENT_KEY = 'oomLens.recentHosts';
const MAX_RECENT = 10;

function sshConfigPath(): string {
  return setting('oomLens.ssh.configFile') || defaultSshConfigPath();
}

/**
 * One SshHost per spec and settings for the whole session: its connection is reused and closes
 * itself when idle. A changed ssh config file or sudo setting gives a new one.
 */
export function sshHost(services: Services, spec: string): Host {
  const configPath = sshConfigPath();
  const useSudo = setting('oomLens.ssh.useSudo');
  const key = JSON.stringify([spec, configPath, useSudo]);
  const known = services.hosts.get(key);
  if (known) return known;
  const host = hostFromSpec(spec, { sshConfigPath: configPath, callbacks: vscodeSshCallbacks(), logger: services.log, useSudo });
  services.hosts.set(key, host);
  return host;
}

type Item = vscode.QuickPickItem & { spec?: string; add?: boolean; local?: boolean };

/**
 * The host quick pick: "This machine" (where the extension host runs: in a Remote-SSH window, the
 * remote), recent hosts, the hosts of ~/.ssh/config, and "Add SSH Host…".
 */
export async function pickHost(
  context: vscode.ExtensionContext,
  services: Services,
  labels = { title: 'OOM Lens: Diagnose OOM on Host', placeHolder: 'Which host ran out of memory?' },
): Promise<Host | undefined> {
  const local = new LocalHost();
  const where = vscode.env.remoteName ? `${vscode.env.remoteName} remote: ${local.name}` : local.name;
  const recent = context.globalState.get<string[]>(RECENT_KEY, []);
  let configured: string[] = [];
  try {
    configured = listConfiguredHosts(sshConfigPath());
  } catch (e) {
    services.log.warn(`ssh config: ${(e as Error).message}`);
  }
  const items: Item[] = [
    { label: `$(vm) ${THIS_MACHINE_LABEL}`, description: where, detail: 'Read /proc on the machine the extension runs on', local: true },
    ...(recent.length ? [{ label: 'Recent', kind: vscode.QuickPickItemKind.Separator } as Item] : []),
    ...recent.map((spec) => ({ label: `$(history) ${spec}`, description: 'over SSH', spec })),
    ...(configured.length ? [{ label: sshConfigPath(), kind: vscode.QuickPickItemKind.Separator } as Item] : []),
    ...configured.filter((h) => !recent.includes(h)).map((spec) => ({ label: `$(remote) ${spec}`, description: 'ssh config', spec })),
    { label: '', kind: vscode.QuickPickItemKind.Separator },
    { label: '$(add) Add SSH Host…', detail: 'user@host[:port] or an ssh_config alias; uses your agent, keys, ProxyJump and known_hosts', add: true },
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: labels.title,
    placeHolder: labels.placeHolder,
    ignoreFocusOut: true,
    matchOnDescription: true,
  });
  if (!picked) return undefined;
  if (picked.local) return local;
  let spec = picked.spec;
  if (picked.add) {
    spec = (
      await vscode.window.showInputBox({
        title: 'OOM Lens: Add SSH Host',
        prompt: 'user@host[:port], or a Host alias from your ssh config',
        ignoreFocusOut: true,
        placeHolder: 'admin@web-1.example.com',
        validateInput: (v) => {
          try {
            parseSpec(v);
            return undefined;
          } catch (e) {
            return (e as Error).message;
          }
        },
      })
    )?.trim();
  }
  if (!spec) return undefined;
  await context.globalState.update(RECENT_KEY, [spec, ...recent.filter((r) => r !== spec)].slice(0, MAX_RECENT));
  return sshHost(services, spec);
}
