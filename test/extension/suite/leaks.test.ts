// Leak hunting beside the code, inside a real VS Code: run the valgrind command on the C fixture
// (with arguments, so no dialogs), then the Problems diagnostic, hover, CodeLens and the Leak
// Reports tree point at the leaking line; two runs compare; a report file opens.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../src/vscode/ids';
import { missingDependency } from './deps';

async function activeExtension(): Promise<void> {
  const ext = vscode.extensions.getExtension('oom-lens.oom-lens');
  assert.ok(ext, 'extension oom-lens.oom-lens is not loaded');
  await ext.activate();
}

// dist-test/extension/suite -> repository root
const ROOT = path.resolve(__dirname, '..', '..', '..');
const SOURCE = path.join(ROOT, 'test', 'fixtures', 'programs', 'leak.c');
const LEAK_LINE = 14; // malloc(16) in make_record (see the fixture)

interface Located {
  file: string;
  line: number;
  kind: string;
  summary: string;
}
interface CommandResult {
  entries: Array<{ id: string; title: string; tool: string | null; sites: number; located: Located[] }>;
  comparison?: { fixed: number; added: number; grown: number };
  error?: string;
}
interface Inspect {
  entries: CommandResult['entries'];
  running: string[];
  tree: Array<{
    id: string;
    label: string;
    description?: string;
    children: Array<{ id: string; label: string; description?: string; command?: string; arguments?: unknown[] }>;
  }>;
}

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

describe('Leak hunting beside the code (valgrind in a real VS Code)', function () {
  this.timeout(180_000);
  let program = '';
  let first: CommandResult | undefined;

  before(function () {
    if (!have('valgrind') || !have('gcc')) {
      missingDependency(this, `${!have('gcc') ? 'gcc' : 'valgrind'} is not installed (apt-get install -y gcc valgrind)`);
    }
    const dir = mkdtempSync(path.join(tmpdir(), 'oom-lens-ext-leak-'));
    program = path.join(dir, 'leak');
    const cc = spawnSync('gcc', ['-g', '-O0', '-o', program, SOURCE], { encoding: 'utf8' });
    assert.equal(cc.status, 0, `gcc failed: ${cc.stderr}`);
  });

  it('runs "Run with Valgrind Memcheck…" with arguments and finds the leaking line', async () => {
    await activeExtension();
    first = await vscode.commands.executeCommand<CommandResult>(COMMANDS.runValgrind.id, { program, args: ['8'] });
    assert.ok(first, 'the command returned nothing (cancelled?)');
    assert.equal(first.error, undefined, first.error);
    const [entry] = first.entries;
    assert.equal(entry.tool, 'valgrind-memcheck');
    const top = entry.located.find((l) => l.kind === 'definitely lost');
    assert.ok(top, `no located definitely-lost site: ${JSON.stringify(entry)}`);
    assert.equal(top.file, SOURCE);
    assert.equal(top.line, LEAK_LINE);
    assert.equal(top.summary, '128 B definitely lost in 8 blocks');
  });

  it('puts an Error diagnostic at the leaking line (Problems)', () => {
    const diags = vscode.languages.getDiagnostics(vscode.Uri.file(SOURCE)).filter((d) => d.source === 'OOM Lens');
    const d = diags.find((x) => x.range.start.line === LEAK_LINE - 1);
    assert.ok(d, `no OOM Lens diagnostic at line ${LEAK_LINE}: ${JSON.stringify(diags.map((x) => [x.range.start.line, x.message]))}`);
    assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
    assert.match(d.message, /^128 B definitely lost in 8 blocks \(valgrind memcheck\)$/);
    assert.equal(d.code, 'definitely lost');
    assert.ok(
      d.relatedInformation?.some((r) => r.location.range.start.line === 28),
      'the caller (main, line 29) is in the related information',
    );
  });

  it('shows the whole stack in a hover and the size in a CodeLens', async () => {
    const uri = vscode.Uri.file(SOURCE);
    await vscode.window.showTextDocument(uri);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(LEAK_LINE - 1, 4));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : (c as vscode.MarkdownString).value))).join('\n');
    assert.match(text, /128 B definitely lost in 8 blocks/);
    assert.match(text, /make\\?_record/);
    assert.match(text, /main/);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    const lens = lenses.find((l) => l.command?.title.includes('definitely lost'));
    assert.ok(lens, `no CodeLens: ${JSON.stringify(lenses.map((l) => l.command?.title))}`);
    assert.equal(lens.range.start.line, LEAK_LINE - 1);
    assert.match(lens.command!.title, /128 B definitely lost in 8 blocks/);
  });

  it('shows the report and the site in the Leak Reports tree; a frame opens the file at its line', async () => {
    const state = await vscode.commands.executeCommand<Inspect>('oomLens.leaks.inspect');
    const root = state.tree.find((n) => n.id === first!.entries[0].id);
    assert.ok(root, `no tree node for the run: ${JSON.stringify(state.tree.map((n) => n.label))}`);
    assert.match(root.label, /^valgrind: leak 8$/);
    const site = root.children.find((c) => /definitely lost/.test(c.label));
    assert.ok(site, JSON.stringify(root.children));
    assert.equal(site.label, '128 B definitely lost in 8 blocks');
    assert.equal(site.description, `make_record leak.c:${LEAK_LINE}`);
    assert.equal(site.command, 'oomLens.leaks.openFrame');
    await vscode.commands.executeCommand(site.command, ...(site.arguments ?? []));
    const ed = vscode.window.activeTextEditor;
    assert.equal(ed?.document.uri.fsPath, SOURCE);
    assert.equal(ed?.selection.active.line, LEAK_LINE - 1);
  });

  it('compares two runs of the same program: the leak grew', async () => {
    const second = await vscode.commands.executeCommand<CommandResult>(COMMANDS.runValgrind.id, { program, args: ['20'] });
    assert.equal(second.error, undefined, second.error);
    assert.equal(second.entries[0].located[0].summary, '320 B definitely lost in 20 blocks');
    const cmp = await vscode.commands.executeCommand<CommandResult>(COMMANDS.compareLeakReports.id, {
      before: first!.entries[0].id,
      after: second.entries[0].id,
    });
    assert.deepEqual(cmp.comparison, { fixed: 0, added: 0, grown: 1, shrunk: 0 });
    // Only the newest run of the same command line is shown beside the code.
    const diags = vscode.languages.getDiagnostics(vscode.Uri.file(SOURCE)).filter((d) => d.source === 'OOM Lens');
    assert.ok(
      diags.some((d) => /320 B definitely lost/.test(d.message)),
      JSON.stringify(diags.map((d) => d.message)),
    );
  });

  it('opens a leak report file the user already has (format detected from the content)', async () => {
    const file = path.join(ROOT, 'test', 'fixtures', 'leaks', 'tracemalloc-diff.txt');
    const r = await vscode.commands.executeCommand<CommandResult>(COMMANDS.openLeakReport.id, vscode.Uri.file(file));
    assert.equal(r.error, undefined, r.error);
    assert.equal(r.entries[0].tool, 'tracemalloc');
    assert.ok(r.entries[0].sites > 0);
  });

  it('runs "Run with LeakSanitizer…" on a binary built with -fsanitize=leak and finds the leaking line; an unsanitized one gets the build flags', async () => {
    const lsanProgram = `${program}-lsan`;
    const cc = spawnSync('gcc', ['-g', '-O0', '-fsanitize=leak', '-fno-omit-frame-pointer', '-o', lsanProgram, SOURCE], { encoding: 'utf8' });
    assert.equal(cc.status, 0, `gcc -fsanitize=leak failed (Debian liblsan0): ${cc.stderr}`);
    const r = await vscode.commands.executeCommand<CommandResult>(COMMANDS.runLsan.id, { program: lsanProgram, args: ['8'] });
    assert.ok(r, 'the command returned nothing (cancelled?)');
    assert.equal(r.error, undefined, r.error);
    const [entry] = r.entries;
    assert.equal(entry.tool, 'lsan');
    const top = entry.located.find((l) => l.file === SOURCE);
    assert.ok(top, `no site located in ${SOURCE}: ${JSON.stringify(entry)}`);
    assert.equal(top.line, LEAK_LINE);
    const plain = await vscode.commands.executeCommand<CommandResult>(COMMANDS.runLsan.id, { program, args: ['8'] });
    assert.match(plain.error ?? '', /-fsanitize=leak -g -fno-omit-frame-pointer/);
  });

  it('tells how to install a tool that is missing on the host', async () => {
    const r = await vscode.commands.executeCommand<CommandResult>(COMMANDS.runTracemalloc.id, {
      program: path.join(ROOT, 'test', 'fixtures', 'programs', 'leak.py'),
      python: 'python-oom-lens-missing',
    });
    assert.match(r.error ?? '', /python-oom-lens-missing is not installed on .*install with: /);
  });
});
