// The layers of DESIGN.md are lint rules (eslint.config.mjs): each forbidden direction fails
// lint on a deliberately wrong import, and the allowed ones pass.
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { ESLint } from 'eslint';

const ROOT = join(__dirname, '..', '..');

async function importErrors(file: string, from: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: ROOT });
  const [r] = await eslint.lintText(`import { x } from '${from}';\nexport const y = x;\n`, { filePath: join(ROOT, file) });
  return r.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layers kept by lint', function () {
  this.timeout(60_000);
  const forbidden: [string, string, RegExp][] = [
    ['src/core/parse/x.ts', '../collect/snapshot', /pure/],
    ['src/core/analyze/x.ts', '../host/host', /pure/],
    ['src/core/model/x.ts', '../tools/runner', /pure/],
    ['src/core/report/x.ts', '../live', /pure/],
    ['src/core/parse/leaks/x.ts', '../../collect/logFile', /pure/],
    ['src/core/parse/kernelLog/x.ts', 'node:fs', /no files, programs or sockets/],
    ['src/core/report/x.ts', 'node:child_process', /no files, programs or sockets/],
    ['webview/x.ts', '../src/core/collect/snapshot', /webview\/ and protocol\//],
    ['webview/sections/x.ts', '../../src/vscode/panel', /run apart/],
    ['src/protocol/x.ts', '../core/host/host', /webview\/ and protocol\//],
    ['src/core/collect/x.ts', '../../cli/main', /never imports the CLI/],
    ['src/core/x.ts', 'vscode', /Only src\/vscode/],
  ];
  for (const [file, from, why] of forbidden) {
    it(`${file} may not import ${from}`, async () => {
      const errors = await importErrors(file, from);
      assert.ok(
        errors.some((e) => why.test(e)),
        `no layer error: ${JSON.stringify(errors)}`,
      );
    });
  }
  const allowed: [string, string][] = [
    ['src/core/parse/x.ts', '../model/report'],
    ['src/core/analyze/x.ts', '../format'],
    ['src/core/collect/x.ts', '../parse/snapshotFrames'],
    ['src/core/collect/x.ts', 'node:fs'],
    ['webview/x.ts', '../src/core/report/headline'],
    ['webview/x.ts', '../src/protocol/messages'],
    ['src/vscode/x.ts', 'vscode'],
  ];
  for (const [file, from] of allowed) {
    it(`${file} may import ${from}`, async () => assert.deepEqual(await importErrors(file, from), []));
  }
});
