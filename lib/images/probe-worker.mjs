// Worker-thread entry for ImageProber. Plain JavaScript so Node can start it as it is;
// the TypeScript probe loads through tsx's loader, the same code the main thread runs.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { probeOrReason } = await import('./probe.ts');
const { probeHeaderOnly } = await import('./probe-header.ts');
const probe = workerData?.mode === 'header-only' ? probeHeaderOnly : probeOrReason;

parentPort.on('message', ({ id, images }) => {
  parentPort.postMessage({ id, results: images.map(probe) });
});
