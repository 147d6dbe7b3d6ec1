import { describe, expect, it } from 'vitest';
import { statusOfJob } from './submission-status.js';

describe('statusOfJob', () => {
  it('maps every job state to what a participant sees', () => {
    expect(statusOfJob('queued')).toBe('queued');
    expect(statusOfJob('leased')).toBe('running');
    expect(statusOfJob('done')).toBe('done');
    expect(statusOfJob('failed')).toBe('failed');
    expect(statusOfJob('dead')).toBe('failed');
  });
});
