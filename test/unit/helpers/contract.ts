// Reads the example object of a JSON contract (docs/contracts/*.md): the ```jsonc block with its
// comments stripped. Tests compare field names against it so renames are caught.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export function contractExample(name: string): unknown {
  const md = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'contracts', name), 'utf8');
  const block = /```jsonc\n([\s\S]*?)```/.exec(md);
  if (!block) throw new Error(`no jsonc block in ${name}`);
  // Strip // comments outside strings, then "…" placeholders stay valid strings.
  const noComments = block[1]
    .split('\n')
    .map((line) => {
      let inStr = false;
      for (let i = 0; i < line.length; i++) {
        const c = line[i];
        if (c === '"' && line[i - 1] !== '\\') inStr = !inStr;
        if (!inStr && c === '/' && line[i + 1] === '/') return line.slice(0, i);
      }
      return line;
    })
    .join('\n');
  return JSON.parse(noComments);
}

/** Every key path of the contract example missing from `actual` (arrays: element 0 against every element). */
export function missingKeys(contract: unknown, actual: unknown, path = '$', skip: Set<string> = new Set()): string[] {
  if (skip.has(path)) return [];
  if (Array.isArray(contract)) {
    if (!Array.isArray(actual)) return [`${path} is not an array`];
    if (contract.length === 0 || typeof contract[0] !== 'object' || contract[0] === null) return [];
    return actual
      .flatMap((a, i) => missingKeys(contract[0], a, `${path}[${i}]`, skip).map((p) => p.replace(`${path}[${i}]`, `${path}[]`)))
      .filter((p, i, all) => all.indexOf(p) === i);
  }
  if (typeof contract === 'object' && contract !== null) {
    if (actual === null) return []; // the contract allows null for absent objects
    if (typeof actual !== 'object') return [`${path} is not an object`];
    const out: string[] = [];
    for (const [k, v] of Object.entries(contract)) {
      if (skip.has(`${path}.${k}`)) continue;
      if (!(k in (actual as object))) out.push(`${path}.${k}`);
      else out.push(...missingKeys(v, (actual as Record<string, unknown>)[k], `${path}.${k}`, skip));
    }
    return out;
  }
  return [];
}
