/**
 * The operating-system walls around the Node sandbox child, beyond Node's permission model (which
 * covers files and child processes only):
 * - a network namespace of its own (util-linux `unshare`): no sockets reach anything;
 * - a PID namespace of its own, in a session of its own: no signal reaches another process;
 * - as root, an unprivileged user (util-linux `setpriv`, uid/gid 65534): the user's own files and
 *   processes are not the sandbox's.
 * Each is measured here (by running it once) rather than assumed; what the platform cannot give
 * is reported by `playground doctor` and said once on stderr.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The unprivileged user and group the child runs as when the CLI runs as root ("nobody"). */
export const SANDBOX_UID = 65534;
export const SANDBOX_GID = 65534;

export type WallId =
  'permissions' | 'network' | 'signals' | 'user' | 'code-strings' | 'js-capabilities' | 'channel';

export interface WallStatus {
  id: WallId;
  /** 'n/a': the wall does not apply here (e.g. a separate user when not root). */
  state: 'active' | 'missing' | 'n/a';
  /** What the wall does, or why it is missing. */
  detail: string;
  /** What to do to get it; empty when active. */
  fix: string;
}

/** How the child is started: `command ...prefix <node flags> <script>`. */
export interface WallPlan {
  command: string;
  prefix: string[];
  walls: WallStatus[];
}

/**
 * 'none' starts the child under the permission model only, as before these walls (the
 * benchmark's "before"); never for model code.
 */
export type WallMode = 'full' | 'none';

const TURNED_OFF = 'turned off for this sandbox';
const NAMESPACE_FLAGS = ['--net', '--pid', '--fork', '--kill-child'];
const DROP_USER_FLAGS = [
  `--reuid=${SANDBOX_UID}`,
  `--regid=${SANDBOX_GID}`,
  '--clear-groups',
  '--inh-caps=-all',
  '--bounding-set=-all',
  '--no-new-privs',
];

function findTool(name: string): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/bin', '/usr/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return null;
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function tryRun(command: string, args: string[]): string | null {
  const r = spawnSync(command, args, {
    encoding: 'utf8',
    timeout: 10_000,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  });
  if (r.error) return r.error.message;
  if (r.status === 0) return null;
  return (r.stderr.trim().split('\n').pop() ?? '') || `exit ${r.status ?? r.signal}`;
}

interface Namespaces {
  unshare: string;
  /** Flags for unshare; non-root users need a user namespace to make the others. */
  flags: string[];
}

let namespaces: { value: Namespaces | null; why: string } | undefined;

function detectNamespaces(): { value: Namespaces | null; why: string } {
  if (namespaces) return namespaces;
  if (process.platform !== 'linux') {
    namespaces = { value: null, why: `${process.platform} has no Linux namespaces` };
    return namespaces;
  }
  const unshare = findTool('unshare');
  if (!unshare) {
    namespaces = { value: null, why: 'the unshare command (util-linux) is not installed' };
    return namespaces;
  }
  const flags = isRoot() ? NAMESPACE_FLAGS : ['--user', ...NAMESPACE_FLAGS];
  const failed = tryRun(unshare, [...flags, '--', 'true']);
  namespaces = failed
    ? { value: null, why: `unshare ${flags.join(' ')} failed: ${failed}` }
    : { value: { unshare, flags }, why: '' };
  return namespaces;
}

const userChecks = new Map<string, string | null>();

/** Whether the unprivileged user can read everything the child needs; null when it can. */
function unprivilegedUserBlocked(setpriv: string, paths: string[]): string | null {
  const key = paths.join('\0');
  const known = userChecks.get(key);
  if (known !== undefined) return known;
  const test = findTool('test') ?? '/usr/bin/test';
  const args = paths.flatMap((p, i) => [...(i ? ['-a'] : []), '-r', p]);
  const failed = tryRun(setpriv, [...DROP_USER_FLAGS, '--', test, ...args]);
  const why = failed
    ? `user ${SANDBOX_UID} cannot read the sandbox's files (${paths.join(', ')}): give others read access to them, or install the project outside root's home`
    : null;
  userChecks.set(key, why);
  return why;
}

/** The walls this platform gives, and how to start the child inside them. */
export function planWalls(readPaths: string[], mode: WallMode = 'full'): WallPlan {
  const walls: WallStatus[] = [
    {
      id: 'permissions',
      state: 'active',
      detail: "Node's permission model: reads only Pyodide's files, no writes, no child processes",
      fix: '',
    },
    {
      id: 'channel',
      state: 'active',
      detail: 'talks to the CLI only through checked JSON lines on its own pipes',
      fix: '',
    },
  ];
  if (mode === 'none') {
    for (const id of ['code-strings', 'js-capabilities', 'network', 'signals', 'user'] as const)
      walls.push({ id, state: 'missing', detail: TURNED_OFF, fix: 'leave the wall on' });
    return { command: process.execPath, prefix: [], walls };
  }
  walls.push(
    {
      id: 'code-strings',
      state: 'active',
      detail: 'no code from strings (eval, Function) in the sandbox process',
      fix: '',
    },
    {
      id: 'js-capabilities',
      state: 'active',
      detail:
        'fetch, process.kill, process.getBuiltinModule and native addons are removed before Python starts',
      fix: '',
    },
  );
  const ns = detectNamespaces();
  const nsFix =
    process.platform === 'linux'
      ? ns.why.includes('not installed')
        ? 'install util-linux (apt-get install util-linux)'
        : 'allow user namespaces (sysctl kernel.unprivileged_userns_clone=1, and on Ubuntu kernel.apparmor_restrict_unprivileged_userns=0) or run as root'
      : 'run the CLI on Linux (or in a Linux container) to keep model code off the network and away from other processes';
  walls.push(
    ns.value
      ? {
          id: 'network',
          state: 'active',
          detail: 'own network namespace: no sockets reach this machine or the network',
          fix: '',
        }
      : { id: 'network', state: 'missing', detail: ns.why, fix: nsFix },
    ns.value
      ? {
          id: 'signals',
          state: 'active',
          detail: 'own PID namespace and session: no signal reaches the CLI or any other process',
          fix: '',
        }
      : {
          id: 'signals',
          state: 'missing',
          detail: `${ns.why}; only a session of its own`,
          fix: nsFix,
        },
  );
  // The command line is built inside out: unshare, then setpriv, then node.
  const launcher: string[] = ns.value ? [ns.value.unshare, ...ns.value.flags, '--'] : [];
  if (!isRoot()) {
    walls.push({
      id: 'user',
      state: 'n/a',
      detail:
        'runs as your user (not root): files your user can read are kept out by the permission model alone',
      fix: '',
    });
  } else {
    const setpriv = findTool('setpriv');
    const blocked = setpriv
      ? unprivilegedUserBlocked(setpriv, [process.execPath, ...readPaths])
      : 'the setpriv command (util-linux) is not installed';
    if (setpriv && !blocked) {
      launcher.push(setpriv, ...DROP_USER_FLAGS, '--');
      walls.push({
        id: 'user',
        state: 'active',
        detail: `runs as user ${SANDBOX_UID} (nobody) without capabilities, not as root`,
        fix: '',
      });
    } else {
      walls.push({
        id: 'user',
        state: 'missing',
        detail: blocked ?? '',
        fix: setpriv
          ? `make the files readable by user ${SANDBOX_UID}`
          : 'install util-linux (apt-get install util-linux)',
      });
    }
  }
  launcher.push(process.execPath);
  const [command = process.execPath, ...prefix] = launcher;
  return { command, prefix, walls };
}

let warned = false;

/** Says once per process, on stderr, which walls this platform cannot give. */
export function warnMissingWalls(walls: WallStatus[]): void {
  if (warned) return;
  const missing = walls.filter((w) => w.state === 'missing' && w.detail !== TURNED_OFF);
  if (!missing.length) return;
  warned = true;
  const names = missing.map((w) => w.id).join(', ');
  process.stderr.write(
    `playground: the Python sandbox runs without its ${names} wall${missing.length > 1 ? 's' : ''} here (${missing[0]?.detail}). Run \`playground doctor\` for what to do.\n`,
  );
}

/** One line per wall, for `playground doctor`. */
export function formatWalls(walls: WallStatus[]): string[] {
  return walls.map((w) => {
    const mark = w.state === 'active' ? 'ok  ' : w.state === 'n/a' ? 'n/a ' : 'MISSING';
    const fix = w.fix && w.state === 'missing' ? ` -> ${w.fix}` : '';
    return `${mark} ${w.id}: ${w.detail}${fix}`;
  });
}
