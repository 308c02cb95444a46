// Prometheus credentials live in VS Code's SecretStorage (the OS keychain), never in settings:
// settings sync, get committed in .vscode/ and show in screenshots.
import * as vscode from 'vscode';
import type { PrometheusAuth } from '../../core/source/prometheus';

const KEY = 'oomLens.fleet.prometheusCredentials';

type Stored = { kind: 'bearer'; token: string } | { kind: 'basic'; user: string; password: string };

export async function readCredentials(secrets: vscode.SecretStorage): Promise<PrometheusAuth | undefined> {
  const raw = await secrets.get(KEY);
  if (!raw) return undefined;
  try {
    const s = JSON.parse(raw) as Stored;
    if (s.kind === 'bearer' && s.token) return { bearerToken: s.token };
    if (s.kind === 'basic' && s.user) return { basic: { user: s.user, password: s.password ?? '' } };
  } catch {
    // an unreadable entry is as good as none
  }
  return undefined;
}

/** "OOM Lens: Set Prometheus Credentials…": a token or user:password, or clear them. True when they changed. */
export async function promptCredentials(secrets: vscode.SecretStorage): Promise<boolean> {
  const has = !!(await secrets.get(KEY));
  const pick = await vscode.window.showQuickPick(
    [
      { label: 'Bearer token', detail: 'Authorization: Bearer … (a service account or API token)', auth: 'bearer' as const },
      { label: 'User and password', detail: 'HTTP basic auth, typed as user:password', auth: 'basic' as const },
      ...(has ? [{ label: 'Clear credentials', detail: 'Ask Prometheus without any', auth: 'clear' as const }] : []),
    ],
    { title: 'OOM Lens: Prometheus credentials (kept in the secret store)', ignoreFocusOut: true },
  );
  if (!pick) return false;
  if (pick.auth === 'clear') {
    await secrets.delete(KEY);
    return true;
  }
  if (pick.auth === 'bearer') {
    const token = (
      await vscode.window.showInputBox({ title: 'Prometheus bearer token', password: true, ignoreFocusOut: true, prompt: 'Stored in the secret store' })
    )?.trim();
    if (!token) return false;
    await secrets.store(KEY, JSON.stringify({ kind: 'bearer', token } satisfies Stored));
    return true;
  }
  const up = await vscode.window.showInputBox({
    title: 'Prometheus user and password',
    prompt: 'user:password, stored in the secret store',
    password: true,
    ignoreFocusOut: true,
    validateInput: (v) => (v.includes(':') && v.indexOf(':') > 0 ? undefined : 'type it as user:password'),
  });
  if (!up) return false;
  const i = up.indexOf(':');
  await secrets.store(KEY, JSON.stringify({ kind: 'basic', user: up.slice(0, i), password: up.slice(i + 1) } satisfies Stored));
  return true;
}
