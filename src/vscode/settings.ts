import * as vscode from 'vscode';
import { Settings, SETTING_DEFAULTS } from './ids';

/** Typed read of an oomLens.* setting, falling back to the declared default. */
export function setting<K extends keyof Settings>(key: K): Settings[K] {
  const [section, ...rest] = key.split('.');
  return vscode.workspace.getConfiguration(section).get<Settings[K]>(rest.join('.'), SETTING_DEFAULTS[key]);
}
