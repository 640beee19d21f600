/**
 * The operating-system walls around the Node sandbox child, beyond Node's permission model (which
 * covers files and child processes only):
 * - a network namespace of its own (util-linux `unshare`): no sockets reach anything;
 * - a PID namespace of its own, in a session of its own: no signal reaches another process;
 * - a mount namespace whose root holds only the system's /usr and /lib and the sandbox's own
 *   directories: the user's files and the filesystem's Unix sockets are not there at all;
 * - as root, an unprivileged user (util-linux `setpriv`, uid/gid 65534): the user's own files and
 *   processes are not the sandbox's.
 * Each is measured here (the whole command line runs once) rather than assumed; what the platform
 * cannot give is reported by `playground doctor` and said once on stderr.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join, sep } from 'node:path';

/** The unprivileged user and group the child runs as when the CLI runs as root ("nobody"). */
export const SANDBOX_UID = 65534;
export const SANDBOX_GID = 65534;

export type WallId =
  | 'permissions'
  | 'network'
  | 'signals'
  | 'files'
  | 'user'
  | 'code-strings'
  | 'js-capabilities'
  | 'channel';

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
/** What a non-root child keeps of the user namespace's root: nothing (no capabilities). */
const DROP_CAPS_FLAGS = ['--inh-caps=-all', '--bounding-set=-all', '--no-new-privs'];
/** System directories the new root keeps (read-only use: the permission model forbids writes). */
const SYSTEM_DIRS = ['/usr', '/lib', '/lib64', '/lib32', '/libx32', '/bin', '/sbin'];
/** Directories over which the new root's tmpfs may be mounted (in the child's namespace only). */
const ROOT_MOUNT_POINTS = ['/mnt', '/media', '/srv', '/opt', '/var/empty', '/tmp'];

/**
 * Run by /bin/sh inside the new mount namespace: a read-only tmpfs holding read-only bind mounts
 * of the given paths, /proc of the new PID namespace and four device files becomes the root; the
 * old root is detached (pivot_root, then a lazy unmount), so no path leads back to it.
 * Arguments: <mount point> <count> <paths...> -- <command...>.
 */
const NEW_ROOT_SCRIPT = `set -e
PATH=/usr/sbin:/usr/bin:/sbin:/bin
R=$1; n=$2; shift 2
mount --make-rprivate /
mount -t tmpfs -o mode=0755,size=1m sandbox-root "$R"
while [ "$n" -gt 0 ]; do
  p=$1; shift; n=$((n - 1))
  if [ -d "$p" ]; then mkdir -p "$R$p"; else mkdir -p "$R\${p%/*}"; : > "$R$p"; fi
  mount --rbind "$p" "$R$p"
  mount -o remount,bind,ro "$R$p"
done
[ "$1" = "--" ] && shift
mkdir -p "$R/proc" "$R/dev" "$R/.old"
mount -t proc -o nosuid,nodev,noexec proc "$R/proc"
for d in null zero urandom random; do : > "$R/dev/$d"; mount --bind "/dev/$d" "$R/dev/$d"; done
# Read-only where the kernel allows it (not in a user namespace); it holds empty directories only.
mount -o remount,ro "$R" 2>/dev/null || true
cd "$R"
pivot_root . .old
umount -l /.old
exec "$@"`;

/** As root: the unprivileged user, no supplementary groups, and no capabilities either. */
const DROP_USER_FLAGS = [
  `--reuid=${SANDBOX_UID}`,
  `--regid=${SANDBOX_GID}`,
  '--clear-groups',
  ...DROP_CAPS_FLAGS,
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
  // mount's last line only points at dmesg; the line before says what failed.
  const lines = r.stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.includes('dmesg(1)'));
  return lines.pop() ?? `exit ${r.status ?? r.signal}`;
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
    const off = ['code-strings', 'js-capabilities', 'network', 'signals', 'files', 'user'] as const;
    for (const id of off)
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
  const user = userWall(readPaths);
  walls.push(user.wall);
  const files = ns.value ? filesLauncher(ns.value, readPaths, user.drop) : null;
  if (files && !files.failed) {
    walls.push({
      id: 'files',
      state: 'active',
      detail:
        "own filesystem: only /usr, /lib and the sandbox's directories exist (no home, /tmp or sockets)",
      fix: '',
    });
    const [command = process.execPath, ...prefix] = files.launcher;
    return { command, prefix, walls };
  }
  walls.push({
    id: 'files',
    state: 'missing',
    detail: files?.failed ?? ns.why,
    fix: files ? 'check that mount, pivot_root and setpriv (util-linux) are installed' : nsFix,
  });
  // The command line is built inside out: unshare, then setpriv, then node.
  const launcher: string[] = [
    ...(ns.value ? [ns.value.unshare, ...ns.value.flags, '--'] : []),
    ...(user.drop && isRoot() ? [...user.drop, '--'] : []),
    process.execPath,
  ];
  const [command = process.execPath, ...prefix] = launcher;
  return { command, prefix, walls };
}

/** The separate user (root only): the wall's status and the setpriv command that gives it. */
function userWall(readPaths: string[]): { wall: WallStatus; drop: string[] | null } {
  const setpriv = findTool('setpriv');
  if (!isRoot())
    return {
      wall: {
        id: 'user',
        state: 'n/a',
        detail: 'runs as your user (not root), without capabilities',
        fix: '',
      },
      drop: setpriv ? [setpriv, ...DROP_CAPS_FLAGS] : null,
    };
  const blocked = setpriv
    ? unprivilegedUserBlocked(setpriv, [process.execPath, ...readPaths])
    : 'the setpriv command (util-linux) is not installed';
  if (setpriv && !blocked)
    return {
      wall: {
        id: 'user',
        state: 'active',
        detail: `runs as user ${SANDBOX_UID} (nobody) without capabilities, not as root`,
        fix: '',
      },
      drop: [setpriv, ...DROP_USER_FLAGS],
    };
  return {
    wall: {
      id: 'user',
      state: 'missing',
      detail: blocked ?? '',
      fix: setpriv
        ? `make the files readable by user ${SANDBOX_UID}`
        : 'install util-linux (apt-get install util-linux)',
    },
    // Still root, but without capabilities.
    drop: setpriv ? [setpriv, ...DROP_CAPS_FLAGS] : null,
  };
}

const filesChecks = new Map<string, string | null>();

/**
 * The launcher with a root of its own, tried once (node --version) for these paths: its command
 * line, or why it failed.
 */
function filesLauncher(
  ns: Namespaces,
  readPaths: string[],
  drop: string[] | null,
): { launcher: string[]; failed: string | null } {
  const node = realpathSync(process.execPath);
  const sh = existsSync('/bin/sh') ? '/bin/sh' : null;
  if (!sh || !drop)
    return { launcher: [], failed: 'needs /bin/sh and setpriv (util-linux) to build its root' };
  const paths = [
    ...SYSTEM_DIRS.filter((d) => existsSync(d)),
    dirname(node),
    ...readPaths.filter((p) => existsSync(p)),
  ];
  const under = (p: string, dir: string): boolean => p === dir || p.startsWith(dir + sep);
  const mountPoint = ROOT_MOUNT_POINTS.find(
    (m) => existsSync(m) && !paths.some((p) => under(p, m) || under(m, p)),
  );
  if (!mountPoint)
    return {
      launcher: [],
      failed: `no free directory for its root (${ROOT_MOUNT_POINTS.join(', ')})`,
    };
  const flags = isRoot() ? ['--mount', ...ns.flags] : ['--map-root-user', '--mount', ...ns.flags];
  const launcher = [
    ns.unshare,
    ...flags,
    '--',
    sh,
    '-c',
    NEW_ROOT_SCRIPT,
    'sandbox-root',
    mountPoint,
    String(paths.length),
    ...paths,
    '--',
    ...drop,
    '--',
    node,
  ];
  const key = launcher.join('\0');
  let failed = filesChecks.get(key);
  if (failed === undefined) {
    const [command = '', ...args] = launcher;
    failed = tryRun(command, [...args, '--version']);
    filesChecks.set(key, failed);
  }
  return { launcher, failed: failed ? `its own root could not be built: ${failed}` : null };
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
