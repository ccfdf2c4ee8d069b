// Worker-thread entry for bench:import's header-only ImageProber (see probe-header.ts).
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { probeHeaderOnly } = await import('./probe-header.ts');

parentPort.on('message', ({ id, images }) => {
  parentPort.postMessage({ id, results: images.map(probeHeaderOnly) });
});
