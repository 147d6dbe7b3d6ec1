import { describe, expect, it } from 'vitest';
import { newSubmissionId, SUBMISSION_ID } from './submissions-table.js';

describe('newSubmissionId', () => {
  it('gives 16 base64url characters that never start with - or _, all distinct', () => {
    // 2,000 draws: with a free first character about 60 would start with - or _.
    const ids = Array.from({ length: 2000 }, () => newSubmissionId());
    for (const id of ids) {
      expect(id).toMatch(SUBMISSION_ID);
      expect(id).toMatch(/^[A-Za-z0-9]/);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });
});
