import OpenAI from 'openai';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalOpenAI, type LocalOpenAI } from '@/lib/openai-local/server';
import { estimateVisionChat, REASONING_MAX_COMPLETION_TOKENS, textCost, visionImageTokens } from '@/lib/openai/prices';
import {
  deriveScores,
  estimateJudge,
  JUDGE_RESPONSE_FORMAT,
  JUDGE_SCORE_KEYS,
  JUDGE_SYSTEM_PROMPT,
  judgeRequest,
  JudgeReplyError,
  judgeUserText,
  parseJudgeReply,
  PROMPT_VERSION,
  worstCaseJudge,
} from './judge';

const reply = (over: Record<string, unknown> = {}) =>
  JSON.stringify({ reasoning: 'The sky is blue as asked.', editing_success: 9, over_editing: 7, naturalness: 8, artifacts: 6, ...over });

function thrown(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('the judge prompt and request', () => {
  it('asks for the four 0-10 scores and a one-sentence reasoning, with a strict json_schema', () => {
    for (const key of JUDGE_SCORE_KEYS) expect(JUDGE_SYSTEM_PROMPT).toContain(`${key}:`);
    expect(JUDGE_SYSTEM_PROMPT).toMatch(/10 = only the requested change was made/);
    expect(JUDGE_SYSTEM_PROMPT).toMatch(/10 = no artifacts/);
    expect(JUDGE_SYSTEM_PROMPT).toMatch(/one sentence/);
    expect(PROMPT_VERSION).toMatch(/\S/);

    const { json_schema } = JUDGE_RESPONSE_FORMAT;
    expect(json_schema).toMatchObject({ name: 'edit_judgement', strict: true });
    expect(json_schema.schema).toMatchObject({ type: 'object', additionalProperties: false });
    expect([...json_schema.schema.required].sort()).toEqual(['artifacts', 'editing_success', 'naturalness', 'over_editing', 'reasoning']);
    for (const key of JUDGE_SCORE_KEYS)
      expect(json_schema.schema.properties[key]).toMatchObject({ type: 'integer', minimum: 0, maximum: 10 });
    expect(json_schema.schema.properties.reasoning.type).toBe('string');
  });

  it('sends the system prompt, then the instruction and the two labelled images at the configured detail', () => {
    const request = judgeRequest({
      model: 'gpt-4o',
      instruction: 'Make the sky blue',
      sourceUrl: 'data:src',
      editedUrl: 'data:edit',
      detail: 'high',
    });
    expect(request).toEqual({
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: JUDGE_SYSTEM_PROMPT },
        {
          role: 'user',
          content: [
            { type: 'text', text: judgeUserText('Make the sky blue') },
            { type: 'text', text: 'Source image:' },
            { type: 'image_url', image_url: { url: 'data:src', detail: 'high' } },
            { type: 'text', text: 'Edited image:' },
            { type: 'image_url', image_url: { url: 'data:edit', detail: 'high' } },
          ],
        },
      ],
      response_format: JUDGE_RESPONSE_FORMAT,
      temperature: 0,
      max_completion_tokens: 400,
    });
    expect(judgeUserText('Make the sky blue')).toContain('<instruction>\nMake the sky blue\n</instruction>');
    // Reasoning models take no temperature, and a cap with room for their hidden reasoning.
    const reasoning = judgeRequest({ model: 'gpt-5', instruction: 'x', sourceUrl: 'a', editedUrl: 'b', detail: 'low' });
    expect(reasoning).not.toHaveProperty('temperature');
    expect(reasoning.max_completion_tokens).toBe(REASONING_MAX_COMPLETION_TOKENS);
  });

  it('always caps the reply, and the reservation covers a reply that uses the whole cap', () => {
    for (const model of ['gpt-4o', 'gpt-4.1-mini', 'gpt-5', 'gpt-5-mini', 'o3', 'o4-mini']) {
      const instruction = 'Make the sky blue '.repeat(20);
      const request = judgeRequest({ model, instruction, sourceUrl: 'a', editedUrl: 'b', detail: 'high' });
      expect(request.max_completion_tokens, model).toBeGreaterThanOrEqual(400);
      const config = { LOUPE_JUDGE_MODEL: model, LOUPE_JUDGE_DETAIL: 'high' as const };
      const size = { width: 1024, height: 768 };
      const wholeCap = textCost(model, { prompt_tokens: 0, completion_tokens: request.max_completion_tokens! });
      expect(worstCaseJudge(config, size, instruction) - estimateJudge(config, size), model).toBeGreaterThanOrEqual(wholeCap);
    }
  });
});

describe('parseJudgeReply', () => {
  it('accepts integer scores 0-10 and a reasoning', () => {
    expect(parseJudgeReply(reply())).toEqual({
      reasoning: 'The sky is blue as asked.',
      editing_success: 9,
      over_editing: 7,
      naturalness: 8,
      artifacts: 6,
    });
    expect(parseJudgeReply(reply({ editing_success: 0, artifacts: 10 }))).toMatchObject({ editing_success: 0, artifacts: 10 });
  });

  it('refuses anything else with a clear, non-API error (the job fails, nothing is guessed)', () => {
    const cases: [string | null, RegExp][] = [
      ['Sure! Scores: 9, 7, 8, 6', /reply is not JSON: "Sure! Scores/],
      [null, /reply is not JSON: ""/],
      ['{"editing_success": "very good"}', /does not match the score schema \(.*editing_success: .*expected number.*\)/],
      [reply({ editing_success: 11 }), /editing_success: .*<=10/],
      [reply({ over_editing: -1 }), /over_editing: .*>=0/],
      [reply({ naturalness: 7.5 }), /naturalness: .*expected int/],
      [reply({ artifacts: '6' }), /artifacts: .*expected number/],
      [reply({ reasoning: '  ' }), /reasoning: /],
      [reply({ confidence: 0.9 }), /confidence/],
      [JSON.stringify({ editing_success: 9, over_editing: 7, naturalness: 8 }), /artifacts: .*expected number/],
    ];
    for (const [content, message] of cases) {
      const error = thrown(() => parseJudgeReply(content));
      expect(error, String(content)).toBeInstanceOf(JudgeReplyError);
      expect(error.message, String(content)).toMatch(message);
    }
    expect(thrown(() => parseJudgeReply(null, { refusal: "I can't help with that." })).message).toBe(
      `the judge model refused: "I can't help with that."`,
    );
    expect(thrown(() => parseJudgeReply('{"reasoning": "The ed', { finishReason: 'length' })).message).toMatch(/cut off/);
  });
});

describe('deriveScores', () => {
  it('SC = min(editing_success, over_editing), PQ = min(naturalness, artifacts), O = sqrt(SC × PQ)', () => {
    expect(deriveScores({ editing_success: 9, over_editing: 4, naturalness: 8, artifacts: 9 })).toEqual({
      sc: 4,
      pq: 8,
      overall: Math.sqrt(32),
    });
    expect(deriveScores({ editing_success: 10, over_editing: 10, naturalness: 10, artifacts: 10 })).toEqual({
      sc: 10,
      pq: 10,
      overall: 10,
    });
    expect(deriveScores({ editing_success: 0, over_editing: 10, naturalness: 10, artifacts: 10 }).overall).toBe(0);
  });
});

describe('vision token counts and the judge estimate', () => {
  it('counts image tokens as OpenAI documents them', () => {
    expect(visionImageTokens('gpt-4o', 1024, 1024, 'high')).toBe(765);
    expect(visionImageTokens('gpt-4o', 2048, 4096, 'high')).toBe(1105);
    expect(visionImageTokens('gpt-4o', 512, 512, 'high')).toBe(255);
    expect(visionImageTokens('gpt-4o', 4096, 4096, 'low')).toBe(85);
    expect(visionImageTokens('gpt-4o', 1024, 1024, 'auto')).toBe(765);
    expect(visionImageTokens('gpt-4o-mini', 1024, 1024, 'low')).toBe(2833);
    expect(visionImageTokens('gpt-4.1-mini', 1024, 1024, 'high')).toBe(Math.ceil(1024 * 1.62));
    expect(visionImageTokens('gpt-4.1-mini', 1800, 2400, 'high')).toBe(Math.ceil(1452 * 1.62));
  });

  it('prices both images at the size they are sent (at most 1024 px) and detail, plus the prompt and a reply', () => {
    const config = { LOUPE_JUDGE_MODEL: 'gpt-4o', LOUPE_JUDGE_DETAIL: 'high' as const };
    const big = estimateJudge(config, { width: 3000, height: 2000 });
    // 3000x2000 is sent as 1024x683: 2x2 tiles each.
    const imageUsd = textCost('gpt-4o', { prompt_tokens: 2 * 765, completion_tokens: 0 });
    expect(big).toBeGreaterThan(imageUsd);
    expect(big).toBeLessThan(imageUsd + textCost('gpt-4o', { prompt_tokens: 1000, completion_tokens: 150 }));
    expect(estimateJudge(config, { width: 1024, height: 683 })).toBeCloseTo(big, 12);
    // Smaller images, fewer tiles; low detail, 85 tokens each.
    expect(estimateJudge(config, { width: 400, height: 300 })).toBeCloseTo(
      big - textCost('gpt-4o', { prompt_tokens: 2 * (765 - 255), completion_tokens: 0 }),
      12,
    );
    const low = estimateJudge({ ...config, LOUPE_JUDGE_DETAIL: 'low' }, { width: 3000, height: 2000 });
    expect(big - low).toBeCloseTo(textCost('gpt-4o', { prompt_tokens: 2 * (765 - 85), completion_tokens: 0 }), 12);
    // gpt-4o-mini counts far more tokens an image (2833 + 5667 a tile), at its lower price.
    const mini = estimateJudge({ ...config, LOUPE_JUDGE_MODEL: 'gpt-4o-mini' }, { width: 3000, height: 2000 });
    expect(mini).toBeGreaterThan(textCost('gpt-4o-mini', { prompt_tokens: 2 * (2833 + 4 * 5667), completion_tokens: 0 }));
    expect(estimateVisionChat('gpt-4o', { textTokens: 100, images: [], detail: 'high', completionTokens: 10 })).toBeCloseTo(
      textCost('gpt-4o', { prompt_tokens: 100, completion_tokens: 10 }),
      15,
    );
  });
});

describe('against the local OpenAI-compatible server', () => {
  let server: LocalOpenAI;
  let sent: Record<string, unknown>[];
  let client: OpenAI;
  let source: Buffer;

  beforeAll(async () => {
    server = await startLocalOpenAI();
    sent = [];
    // Records what the SDK really sends, then sends it.
    const recording: typeof fetch = async (input, init) => {
      if (typeof init?.body === 'string') sent.push(JSON.parse(init.body));
      return fetch(input, init);
    };
    client = new OpenAI({ apiKey: 'test', baseURL: server.url, maxRetries: 0, fetch: recording });
    source = await sharp(
      Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="600" height="400">
        <rect width="600" height="400" fill="#3070c0"/><circle cx="200" cy="200" r="120" fill="#e0a020"/>
        <rect x="380" y="60" width="160" height="120" fill="#20a050"/></svg>`),
    )
      .png()
      .toBuffer();
  });
  afterAll(() => server.close());

  const url = (png: Buffer) => `data:image/png;base64,${png.toString('base64')}`;
  const judge = (edited: Buffer, detail: 'low' | 'high' = 'high') =>
    client.chat.completions.create(
      judgeRequest({ model: 'gpt-4o', instruction: 'Make it black and white', sourceUrl: url(source), editedUrl: url(edited), detail }),
    );

  it('accepts the strict schema and answers scores from the pixels, deterministically, with realistic usage', async () => {
    const grey = await sharp(source).greyscale().png().toBuffer();
    const completion = await judge(grey);
    const body = sent.at(-1)!;
    expect(body).toMatchObject({ model: 'gpt-4o', response_format: JUDGE_RESPONSE_FORMAT, temperature: 0 });
    const [system, user] = body.messages as { role: string; content: unknown }[];
    expect(system).toEqual({ role: 'system', content: JUDGE_SYSTEM_PROMPT });
    const parts = user.content as { type: string; text?: string; image_url?: { url: string; detail: string } }[];
    expect(parts.map((part) => part.type)).toEqual(['text', 'text', 'image_url', 'text', 'image_url']);
    expect(parts[0].text).toContain('Make it black and white');
    expect(parts[2].image_url).toEqual({ url: url(source), detail: 'high' });

    const scores = parseJudgeReply(completion.choices[0].message.content);
    expect(scores).toMatchObject({ editing_success: 10, naturalness: 10 });
    expect(scores.over_editing).toBeGreaterThanOrEqual(7);
    expect(scores.artifacts).toBeGreaterThanOrEqual(8);
    expect(scores.reasoning).toMatch(/^Simulated from pixels: the edit looks like "Convert the image to black and white"/);
    // Keys in the schema's order: reasoning first.
    expect(Object.keys(JSON.parse(completion.choices[0].message.content!))).toEqual(['reasoning', ...JUDGE_SCORE_KEYS]);
    expect((await judge(grey)).choices[0].message.content).toBe(completion.choices[0].message.content);

    // 600x400 at high detail: 2x1 tiles, 425 tokens an image; the rest is text.
    const usage = completion.usage!;
    expect(usage.prompt_tokens).toBeGreaterThan(2 * 425 + 300);
    expect(usage.prompt_tokens).toBeLessThan(2 * 425 + 800);
    expect(usage.completion_tokens).toBeGreaterThan(20);
    expect((await judge(grey, 'low')).usage!.prompt_tokens).toBe(usage.prompt_tokens - 2 * (425 - 85));
  });

  it('scores an unchanged image as no edit, an inverted one as over-edited, a noisy one as having artifacts', async () => {
    const same = parseJudgeReply((await judge(source)).choices[0].message.content);
    expect(same).toMatchObject({ editing_success: 0, over_editing: 10 });
    const inverted = parseJudgeReply((await judge(await sharp(source).negate().png().toBuffer())).choices[0].message.content);
    expect(inverted.over_editing).toBeLessThanOrEqual(2);
    const raw = await sharp(source).raw().toBuffer({ resolveWithObject: true });
    let seed = 1;
    const noisy = Buffer.from(raw.data).map((v) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return Math.max(0, Math.min(255, v + (seed % 81) - 40));
    });
    const withNoise = parseJudgeReply((await judge(await sharp(noisy, { raw: raw.info }).png().toBuffer())).choices[0].message.content);
    expect(withNoise.artifacts).toBeLessThan(8);
  });

  it('the unparseable fault answers JSON that breaks the schema, once', async () => {
    server.queueFaults({ unparseable: true });
    const completion = await judge(source);
    expect(completion.choices[0].message.content).toBe('{"editing_success":"very good"}');
    expect(() => parseJudgeReply(completion.choices[0].message.content)).toThrow(JudgeReplyError);
    expect(completion.usage!.prompt_tokens).toBeGreaterThan(850);
    expect(() => parseJudgeReply(undefined)).toThrow(/not JSON/);
    expect(parseJudgeReply((await judge(source)).choices[0].message.content).editing_success).toBe(0);
  });
});
