import fs from 'node:fs';
import path from 'node:path';
import { pngBuffer, tempDir } from '@/lib/test/factories';

/**
 * A gpt-edit layout of `n` records that share one image pair: big enough that an import runs
 * for seconds (so it can be killed mid-way), quick to write. Returns the layout root.
 */
export async function bigLayout(n: number, task = 'big'): Promise<string> {
  const root = path.join(tempDir('loupe-big-'), 'gpt-edit');
  const dir = path.join(root, 'omniedit', task);
  for (const sub of ['input', 'output', 'metadata']) fs.mkdirSync(path.join(dir, sub), { recursive: true });
  fs.writeFileSync(path.join(dir, 'input', 'a.png'), await pngBuffer(64, 48));
  fs.writeFileSync(path.join(dir, 'output', 'a.png'), await pngBuffer(64, 48, { r: 20, g: 90, b: 200 }));
  const records = Array.from({ length: n }, (_, i) => ({
    id: `omniedit_${task}_${String(i).padStart(8, '0')}`,
    dataset_source: 'omniedit',
    task,
    input: 'input/a.png',
    output: 'output/a.png',
    instruction: `Edit number ${i}.`,
    instruction_type: 'original',
  }));
  fs.writeFileSync(path.join(dir, 'metadata', `omniedit_${task}.json`), JSON.stringify(records));
  return root;
}
