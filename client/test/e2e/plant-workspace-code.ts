// usage: node plant-workspace-code.js <fixture.json> <folder> <marker>   (see workspace-code.ts)
import { plantWorkspaceCode } from './workspace-code';

const [fixture, folder, marker] = process.argv.slice(2);
if (!fixture || !folder || !marker) {
  console.error('usage: node plant-workspace-code.js <fixture.json> <folder> <marker>');
  process.exit(2);
}
console.log(`planted ${plantWorkspaceCode(folder, marker, fixture).join(', ')} in ${folder}`);
