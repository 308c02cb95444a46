// Mapping file paths in a leak report (as the tool saw them on the host) to files on this machine.
//   oomLens.pathMappings: { "/srv/app": "${workspaceFolder}/app" }  (longest prefix wins)
// With no mapping, a path that exists as-is is used (local runs, Remote-SSH windows); otherwise the
// longest tail of the path that exists under a workspace folder ("/build/x/src/leak.c" -> "<ws>/src/leak.c").

export type PathMappings = Record<string, string>;

/** ${workspaceFolder} / ${workspaceFolder:name} / ${userHome} in a mapping target. */
export function expandVars(target: string, vars: { workspaceFolders: { name: string; path: string }[]; home?: string }): string | null {
  let ok = true;
  const out = target.replace(/\$\{(workspaceFolder|userHome)(?::([^}]+))?\}/g, (_m, v: string, name: string | undefined) => {
    if (v === 'userHome') {
      if (!vars.home) ok = false;
      return vars.home ?? '';
    }
    const f = name ? vars.workspaceFolders.find((w) => w.name === name) : vars.workspaceFolders[0];
    if (!f) {
      ok = false;
      return '';
    }
    return f.path;
  });
  return ok ? out : null;
}

function trimSlash(p: string): string {
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
}

/**
 * Candidate local paths for a reported file, best first: mapped by the longest matching prefix,
 * then the path itself, then (when `tailSearch`) its tails under each workspace folder.
 */
export function candidatePaths(
  file: string,
  mappings: PathMappings,
  vars: { workspaceFolders: { name: string; path: string }[]; home?: string },
  opts: { tailSearch?: boolean; maxTail?: number } = {},
): string[] {
  const out: string[] = [];
  const prefixes = Object.keys(mappings ?? {})
    .filter((k) => typeof mappings[k] === 'string')
    .sort((a, b) => b.length - a.length);
  for (const from of prefixes) {
    const f = trimSlash(from);
    if (file === f || file.startsWith(f.endsWith('/') ? f : f + '/')) {
      const to = expandVars(mappings[from], vars);
      if (to === null) continue;
      out.push(trimSlash(to) + file.slice(f.length));
      break;
    }
  }
  out.push(file);
  if (!file.startsWith('/')) {
    // a relative name as valgrind's text output prints it ("leak.c"): under each workspace folder
    for (const w of vars.workspaceFolders) out.push(trimSlash(w.path) + '/' + file.replace(/^\.\//, ''));
  }
  if (opts.tailSearch !== false && file.startsWith('/')) {
    const parts = file.split('/').filter((p) => p !== '');
    const max = Math.min(parts.length - 1, opts.maxTail ?? 6);
    for (const w of vars.workspaceFolders) {
      // longest tail first, but never the whole path again
      for (let k = Math.min(parts.length - 1, max); k >= 1; k--) {
        out.push(trimSlash(w.path) + '/' + parts.slice(parts.length - k).join('/'));
      }
    }
  }
  return [...new Set(out)];
}

/** The first candidate that `exists` accepts, or null. */
export function mapPath(
  file: string,
  mappings: PathMappings,
  vars: { workspaceFolders: { name: string; path: string }[]; home?: string },
  exists: (p: string) => boolean,
  opts: { tailSearch?: boolean } = {},
): string | null {
  for (const c of candidatePaths(file, mappings, vars, opts)) if (exists(c)) return c;
  return null;
}
