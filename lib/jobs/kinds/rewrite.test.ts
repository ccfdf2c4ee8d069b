import { describe, expect, it } from 'vitest';
import { REWRITE_MAX_COMPLETION_TOKENS, textCost, worstCaseRewrite } from '../../openai/prices';
import { rewriteRequest } from './rewrite';

describe('the rewrite request', () => {
  it('always caps the reply (a reasoning model with room to think), and its reservation covers a reply using the whole cap', () => {
    for (const model of ['gpt-4o', 'gpt-4.1-mini', 'gpt-5', 'gpt-5-mini', 'o3', 'o4-mini']) {
      const request = rewriteRequest(model, 'data:a', 'data:b');
      expect(request.max_completion_tokens, model).toBeGreaterThanOrEqual(REWRITE_MAX_COMPLETION_TOKENS);
      const wholeCap = textCost(model, { prompt_tokens: 0, completion_tokens: request.max_completion_tokens! });
      expect(worstCaseRewrite(model), model).toBeGreaterThan(wholeCap);
    }
    expect(rewriteRequest('gpt-5', 'a', 'b').max_completion_tokens).toBeGreaterThan(REWRITE_MAX_COMPLETION_TOKENS);
  });
});
