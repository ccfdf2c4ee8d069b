import { afterEach, expect, it } from 'vitest';
import { cleanupTemp, SAMPLES_DIR, tempDb } from '@/lib/test/factories';
import { importGptEdit } from '../import/import-gpt-edit';
import { openaiConfig } from '../openai/config';
import { itemKindChoices } from './item-kinds';
import { requestJob } from './request';

afterEach(() => cleanupTemp());

async function samples() {
  const { db } = tempDb();
  await importGptEdit(db, SAMPLES_DIR, { dataset: 'samples' });
  const itemOf = (family: string, task: string) =>
    db.$client.prepare('SELECT id FROM items WHERE family = ? AND task = ? ORDER BY id LIMIT 1').pluck().get(family, task) as number;
  return { db, generate: itemOf('hqedit', 'generate'), style: itemOf('omniedit', 'style') };
}

it('offers the interactive kinds, each refused where a request would be, with the same reason', async () => {
  const { db, generate, style } = await samples();
  const config = openaiConfig({ OPENAI_API_KEY: 'test' });
  const choices = itemKindChoices(db, config, style);
  expect(choices.map((choice) => choice.id)).toEqual(['regenerate', 'regenerate_pair', 'rewrite', 'judge']);
  // Pair regeneration is for HQ-Edit generate items only: refused on the others, as requestJob refuses it.
  const pair = choices.find((choice) => choice.id === 'regenerate_pair')!;
  expect(pair.unavailable).toMatch(/HQ-Edit generate/);
  expect(() => requestJob(db, config, { kind: 'regenerate_pair', itemId: style, requestedBy: 'cli:test' })).toThrow(pair.unavailable);
  expect(choices.filter((choice) => choice.unavailable).map((choice) => choice.id)).toEqual(['regenerate_pair']);
  expect(itemKindChoices(db, config, generate).filter((choice) => choice.unavailable)).toEqual([]);
});

it('without an API key, none of the kinds that call the API is offered', async () => {
  const { db, generate } = await samples();
  const config = openaiConfig({});
  const choices = itemKindChoices(db, config, generate);
  for (const choice of choices) expect(choice.unavailable, choice.id).toMatch(/not configured on this server: set OPENAI_API_KEY/);
  expect(() => requestJob(db, config, { kind: 'rewrite', itemId: generate, requestedBy: 'cli:test' })).toThrow(
    choices.find((choice) => choice.id === 'rewrite')!.unavailable,
  );
});
