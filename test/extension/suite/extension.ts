import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import type { OomLensApi } from '../../../src/extension';

const EXTENSION_ID = 'oom-lens.oom-lens';

export async function activeExtension(): Promise<vscode.Extension<OomLensApi>> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
  await ext.activate();
  return ext as vscode.Extension<OomLensApi>;
}
