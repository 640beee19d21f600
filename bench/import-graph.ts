// Prints which top-level src folders import which (`npm run deps`), so the layering can be checked
// by eye and compared before and after a change. Reads import/export-from lines with a regex:
// every import in src is a relative path with an explicit extension, so no resolver is needed.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const root = resolve(import.meta.dirname, '..', 'src');
const importLine =
  /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|svelte)$/.test(name) ? [path] : [];
  });
}

/** The top-level folder of a path under src (a file directly in src counts as its own name). */
function folderOf(path: string): string {
  return relative(root, path).split(sep)[0] ?? '';
}

const edges = new Map<string, Map<string, Set<string>>>();
for (const file of sourceFiles(root)) {
  const from = folderOf(file);
  for (const match of readFileSync(file, 'utf8').matchAll(importLine)) {
    const spec = match[1] ?? match[2] ?? '';
    if (!spec.startsWith('.')) continue;
    const target = resolve(dirname(file), spec);
    if (!target.startsWith(root + sep)) continue;
    const to = folderOf(target);
    if (to === from) continue;
    const targets = edges.get(from) ?? new Map<string, Set<string>>();
    const files = targets.get(to) ?? new Set<string>();
    files.add(relative(root, file));
    targets.set(to, files);
    edges.set(from, targets);
  }
}

const verbose = process.argv.includes('--files');
for (const from of [...edges.keys()].sort()) {
  const targets = edges.get(from) ?? new Map<string, Set<string>>();
  const names = [...targets.keys()].sort();
  console.log(
    `${from} -> ${names.map((to) => `${to} (${targets.get(to)?.size ?? 0})`).join(', ')}`,
  );
  if (verbose) {
    for (const to of names) {
      for (const file of [...(targets.get(to) ?? [])].sort()) console.log(`    ${to} <- ${file}`);
    }
  }
}
