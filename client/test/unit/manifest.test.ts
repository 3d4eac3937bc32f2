// package.json promises: activation, trust declaration, settings, pinned versions.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';

const root = path.resolve(__dirname, '../../..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8'));

describe('package.json', () => {
  it('activates on dockerfile documents and never depends on the Python extension', () => {
    assert.deepEqual(pkg.activationEvents, ['onLanguage:dockerfile']);
    assert.equal(pkg.extensionDependencies, undefined);
    assert.equal(pkg.main, './dist/extension.js');
  });

  it('associates Containerfile, *.Dockerfile and Dockerfile.* with the dockerfile language', () => {
    const lang = pkg.contributes.languages.find((l: { id: string }) => l.id === 'dockerfile');
    assert.ok(lang.filenames.includes('Containerfile'));
    for (const p of ['*.Dockerfile', 'Dockerfile.*', 'Containerfile.*']) assert.ok(lang.filenamePatterns.includes(p), p);
  });

  it('declares limited support for untrusted workspaces, restricting the settings that run programs', () => {
    const u = pkg.capabilities.untrustedWorkspaces;
    assert.equal(u.supported, 'limited');
    assert.deepEqual([...u.restrictedConfigurations].sort(), ['cachemount.interpreter', 'cachemount.path']);
  });

  it('contributes the settings the server reads and the restart command', () => {
    const props = pkg.contributes.configuration.properties;
    for (const key of ['path', 'interpreter', 'rules', 'severity', 'select', 'ignore', 'trace.server']) {
      assert.ok(props[`cachemount.${key}`], key);
    }
    assert.deepEqual(props['cachemount.severity'].additionalProperties.enum, ['error', 'warning', 'information', 'hint']);
    assert.equal(props['cachemount.rules'].additionalProperties.type, 'boolean');
    assert.ok(pkg.contributes.commands.some((c: { command: string }) => c.command === 'cachemount.restart'));
  });

  it('pins exact versions; @types/vscode equals the engines floor; languageclient 9.0.1', () => {
    const all = { ...pkg.dependencies, ...pkg.devDependencies };
    for (const [name, version] of Object.entries(all)) assert.match(String(version), /^\d+\.\d+\.\d+$/, name);
    assert.equal(pkg.dependencies['vscode-languageclient'], '9.0.1');
    assert.equal(`^${pkg.devDependencies['@types/vscode']}`, pkg.engines.vscode);
    for (const name of Object.keys(all)) {
      assert.equal(lock.packages[`node_modules/${name}`]?.version, all[name], `lock of ${name}`);
    }
  });
});
