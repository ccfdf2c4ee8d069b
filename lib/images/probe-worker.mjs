// Worker-thread entry for ImageProber. Plain JavaScript so Node can start it as it is;
// the TypeScript probe loads through tsx's loader, the same code the main thread runs.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { probeOrReason } = await import('./probe.ts');
const { FolderCache } = await import('./open.ts');
// One worker per import: its folder cache lasts as long as the import.
const folders = new FolderCache();
const probe = (image) => probeOrReason(image, folders);

parentPort.on('message', ({ id, images }) => {
  parentPort.postMessage({ id, results: images.map(probe) });
});
