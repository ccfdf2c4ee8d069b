// Worker-thread entry for ImageProber. Plain JavaScript so Node can start it as it is;
// the TypeScript probe loads through tsx's loader, the same code the main thread runs.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { probeImage } = await import('./probe.ts');

parentPort.on('message', ({ id, files }) => {
  const results = files.map((file) => {
    try {
      return probeImage(file);
    } catch (error) {
      return error.message;
    }
  });
  parentPort.postMessage({ id, results });
});
