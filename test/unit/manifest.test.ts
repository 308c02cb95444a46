// The manifest and the typed ids in src/vscode/ids.ts must say the same thing.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS, SETTING_DEFAULTS, VIEWS, VIEW_CONTAINER } from '../../src/vscode/ids';

const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'));

describe('package.json manifest', () => {
  it('declares exactly the typed commands, titled and in category "OOM Lens"', () => {
    const declared = pkg.contributes.commands.map((c: { command: string; title: string; category: string }) => [c.command, c.title, c.category]);
    assert.deepEqual(
      declared.sort(),
      Object.values(COMMANDS)
        .map((c) => [c.id, c.title, 'OOM Lens'])
        .sort(),
    );
    assert.ok(declared.some(([, title]: string[]) => title === 'Diagnose OOM on Host…'));
  });
  it('declares exactly the typed settings, each with a description and the same default', () => {
    const props = pkg.contributes.configuration.properties as Record<string, { default: unknown; description: string }>;
    assert.deepEqual(Object.keys(props).sort(), Object.keys(SETTING_DEFAULTS).sort());
    for (const [k, v] of Object.entries(props)) {
      assert.ok(k.startsWith('oomLens.'), k);
      assert.ok(v.description && v.description.length > 20, `${k} needs a description`);
      assert.deepEqual(v.default, SETTING_DEFAULTS[k as keyof typeof SETTING_DEFAULTS], k);
    }
  });
  it('runs on the workspace side, with its own activity-bar container, icon and tree view', () => {
    assert.deepEqual(pkg.extensionKind, ['workspace']);
    assert.equal(pkg.name, 'oom-lens');
    assert.equal(pkg.displayName, 'OOM Lens');
    const container = pkg.contributes.viewsContainers.activitybar.find((c: { id: string }) => c.id === VIEW_CONTAINER);
    assert.ok(container?.icon);
    assert.ok(pkg.contributes.views[VIEW_CONTAINER].some((v: { id: string }) => v.id === VIEWS.hosts));
    assert.equal(pkg.bin['oom-lens'], './bin/oom-lens');
  });
});
