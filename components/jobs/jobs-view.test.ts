import { expect, it } from 'vitest';
import { formatDuration, jobDuration, jobsHref, jobsSearch, pollWhileActive, JOBS_POLL_MS } from './jobs-view';

it('writes the filter into the URL, leaving out what is not set', () => {
  expect(jobsHref({})).toBe('/jobs');
  expect(jobsHref({ kind: 'rewrite', status: 'failed', before: 40 })).toBe('/jobs?kind=rewrite&status=failed&before=40');
  expect(jobsSearch({ status: 'queued' })).toBe('status=queued');
});

it('polls only while a job is queued or running', () => {
  expect(pollWhileActive({ active: true })).toBe(JOBS_POLL_MS);
  expect(pollWhileActive({ active: false })).toBe(false);
  expect(pollWhileActive(undefined)).toBe(false);
});

it('says how long a job ran, or has been running', () => {
  expect(formatDuration(850)).toBe('850 ms');
  expect(formatDuration(4_240)).toBe('4.2 s');
  expect(formatDuration(185_000)).toBe('3 m 05 s');
  expect(formatDuration(7_620_000)).toBe('2 h 07 m');
  expect(jobDuration({ status: 'queued', startedAt: null, finishedAt: null }, 10_000)).toBeUndefined();
  expect(jobDuration({ status: 'running', startedAt: 1_000, finishedAt: null }, 3_500)).toBe('2.5 s so far');
  expect(jobDuration({ status: 'succeeded', startedAt: 1_000, finishedAt: 1_300 }, 99_000)).toBe('300 ms');
  // Requeued after its worker died: it started once and has not run since.
  expect(jobDuration({ status: 'queued', startedAt: 1_000, finishedAt: null }, 99_000)).toBeUndefined();
});
