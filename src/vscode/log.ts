import * as vscode from 'vscode';
import type { Logger } from '../core/logger';

/** The extension's one LogOutputChannel, also handed to the core as its Logger. */
export function createLog(): vscode.LogOutputChannel & Logger {
  return vscode.window.createOutputChannel('OOM Lens', { log: true });
}
