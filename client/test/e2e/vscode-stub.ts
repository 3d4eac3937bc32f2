// Lets plain node load suite.ts to list its checks (plan.ts): `require('vscode')` gets an object
// that is never used, since listing the checks calls no vscode API. Import it first.
import Module = require('module');

const M = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
const load = M._load;
M._load = function (request: string, ...rest: unknown[]) {
  if (request === 'vscode') return {};
  return load.call(this, request, ...rest);
};
