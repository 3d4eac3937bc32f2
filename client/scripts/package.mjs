// `npm run package [-- --target <vscode-target>]`: production build, bundled server for that
// target, then `vsce package --target <target>` -> cachemount-<target>-<version>.vsix.
// `--bundle-only` stops after the bundled server; `--no-bundle` makes a platform-neutral .vsix
// without one (the server then comes from cachemount.path/interpreter, the Python extension or python3).
// Python for pip: $CACHEMOUNT_BUILD_PYTHON, else python3/python.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const client = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const option = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] ? argv[i + 1] : (process.env[`npm_config_${name.slice(2)}`] || dflt);
};
const target = option('--target', 'linux-x64');

function run(cmd, args) {
  console.log(`+ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: client, stdio: 'inherit' });
  if (r.error || r.status !== 0) {
    console.error(`package: ${cmd} failed (${r.error?.message ?? `exit ${r.status}`})`);
    process.exit(1);
  }
}

function buildPython() {
  const candidates = process.env.CACHEMOUNT_BUILD_PYTHON
    ? [process.env.CACHEMOUNT_BUILD_PYTHON]
    : process.platform === 'win32' ? ['python', 'py'] : ['python3', 'python'];
  for (const py of candidates) {
    const r = spawnSync(py, ['-m', 'pip', '--version'], { encoding: 'utf8' });
    if (r.status === 0) return py;
  }
  console.error(`package: no Python with pip found (tried ${candidates.join(', ')}); set CACHEMOUNT_BUILD_PYTHON`);
  process.exit(1);
}

const vsce = ['node_modules/@vscode/vsce/vsce', 'package', '--no-dependencies', '--allow-missing-repository'];
// --no-dependencies: esbuild already bundled node_modules into dist/extension.js
run(process.execPath, ['esbuild.mjs', '--production']);
if (flag('--no-bundle')) {
  // one .vsix for every platform, without a bundled server: users need cachemount installed
  rmSync(join(client, 'bundled'), { recursive: true, force: true });
  run(process.execPath, vsce);
} else {
  run(buildPython(), ['scripts/bundle_server.py', '--target', target]);
  if (!flag('--bundle-only')) run(process.execPath, [...vsce, '--target', target]);
}
