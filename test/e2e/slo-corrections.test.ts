import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { RunningBurnwatch } from '../../src/app.js';
import { ManualClock, apiClient, resetDatabase, startTestApp } from '../support/app.js';
import { errorRateSlo } from '../support/fixtures.js';

const clock = new ManualClock(new Date('2026-11-10T12:00:00Z'));
const TOKEN = 'corrections-test-token';
let burnwatch: RunningBurnwatch;
let api: ReturnType<typeof apiClient>;
let anonymous: ReturnType<typeof apiClient>;

beforeAll(async () => {
  burnwatch = await startTestApp({ apiToken: TOKEN }, clock);
  api = apiClient(burnwatch.url, TOKEN);
  anonymous = apiClient(burnwatch.url);
});
afterAll(() => burnwatch.close());
beforeEach(async () => {
  await resetDatabase();
  expect((await api('POST', '/api/v1/slos', errorRateSlo())).status).toBe(201);
});

const base = '/api/v1/slos/checkout-errors/corrections';

describe('budget corrections', () => {
  it('records a one-off correction with its reason and author, and lists the range it covers', async () => {
    const created = await api('POST', base, {
      start: '2026-11-09T02:00:00Z',
      end: '2026-11-09T03:30:00+01:00',
      reason: 'planned load test',
      createdBy: 'alice',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      kind: 'oneOff',
      start: '2026-11-09T02:00:00.000Z',
      end: '2026-11-09T02:30:00.000Z',
      reason: 'planned load test',
      createdBy: 'alice',
      upcoming: [],
    });

    const listed = await api('GET', base);
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([created.body]);
    expect(listed.body.ranges).toEqual([
      { start: '2026-11-09T02:00:00.000Z', end: '2026-11-09T02:30:00.000Z' },
    ]);
    // The default range is the SLO's 30 d window up to now, and a week ahead.
    expect(listed.body.from).toBe('2026-10-11T12:00:00.000Z');
    expect(listed.body.to).toBe('2026-11-17T12:00:00.000Z');
  });

  it('expands a recurring Sunday-night window in Berlin across the fall-back change, and shows the next three', async () => {
    const created = await api('POST', base, {
      start: '2026-10-18T02:00',
      duration: '2h',
      rrule: 'FREQ=WEEKLY;BYDAY=SU',
      timeZone: 'Europe/Berlin',
      reason: 'weekly maintenance',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      kind: 'recurring',
      start: '2026-10-18T02:00:00',
      duration: '2h',
      rrule: 'FREQ=WEEKLY;BYDAY=SU',
      timeZone: 'Europe/Berlin',
      createdBy: 'api',
    });
    expect(created.body.upcoming).toEqual([
      { start: '2026-11-15T01:00:00.000Z', end: '2026-11-15T03:00:00.000Z' },
      { start: '2026-11-22T01:00:00.000Z', end: '2026-11-22T03:00:00.000Z' },
      { start: '2026-11-29T01:00:00.000Z', end: '2026-11-29T03:00:00.000Z' },
    ]);
    const listed = await api('GET', `${base}?from=2026-10-18T00:00:00Z&to=2026-11-02T00:00:00Z`);
    expect(listed.body.ranges).toEqual([
      { start: '2026-10-18T00:00:00.000Z', end: '2026-10-18T02:00:00.000Z' }, // 02:00 CEST
      // The fall-back night: 02:00 happens twice, and the first (CEST) one starts two real hours.
      { start: '2026-10-25T00:00:00.000Z', end: '2026-10-25T02:00:00.000Z' },
      { start: '2026-11-01T01:00:00.000Z', end: '2026-11-01T03:00:00.000Z' }, // 02:00 CET
    ]);
  });

  it('refuses bad corrections with 400 naming each field, and stores nothing', async () => {
    const bad = await api('POST', base, {
      start: '2026-11-09T02:00:00Z',
      duration: '30s',
      rrule: 'FREQ=WEEKLY;BYDAY=XX',
      timeZone: 'Mars/Olympus',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'duration',
      'reason',
      'rrule',
      'timeZone',
    ]);
    const reversed = await api('POST', base, {
      start: '2026-11-09T03:00:00Z',
      end: '2026-11-09T02:00:00Z',
      reason: 'x',
    });
    expect(reversed.status).toBe(400);
    expect(reversed.body.errors).toEqual([{ field: 'end', message: 'must be after start' }]);
    expect((await api('GET', `${base}?from=nonsense`)).status).toBe(400);
    expect((await api('GET', base)).body.items).toEqual([]);
  });

  it('needs the API token to write, but not to read', async () => {
    const body = { start: '2026-11-09T02:00:00Z', end: '2026-11-09T03:00:00Z', reason: 'x' };
    expect((await anonymous('POST', base, body)).status).toBe(401);
    const created = await api('POST', base, body);
    expect((await anonymous('DELETE', `${base}/${created.body.id}`)).status).toBe(401);
    expect((await anonymous('GET', base)).body.items).toHaveLength(1);
  });

  it('answers 404 for an unknown SLO or correction, and deletes a correction once', async () => {
    const body = { start: '2026-11-09T02:00:00Z', end: '2026-11-09T03:00:00Z', reason: 'x' };
    expect((await api('POST', '/api/v1/slos/nope/corrections', body)).status).toBe(404);
    expect((await api('DELETE', `${base}/not-a-uuid`)).status).toBe(404);
    const created = await api('POST', base, body);
    expect((await api('DELETE', `${base}/${created.body.id}`)).status).toBe(204);
    const again = await api('DELETE', `${base}/${created.body.id}`);
    expect(again.status).toBe(404);
    expect(again.body.errors[0].field).toBe('id');
  });

  it('goes with its SLO: an SLO deleted and created again under the same name starts without corrections', async () => {
    await api('POST', base, { start: '2026-11-09T02:00:00Z', end: '2026-11-09T03:00:00Z', reason: 'x' });
    expect((await api('DELETE', '/api/v1/slos/checkout-errors')).status).toBe(204);
    expect((await api('POST', '/api/v1/slos', errorRateSlo())).status).toBe(201);
    expect((await api('GET', base)).body.items).toEqual([]);
  });

  it('travels in the OpenSLO export as an annotation, which an import reports as not imported', async () => {
    await api('POST', base, {
      start: '2026-11-09T02:00:00Z',
      end: '2026-11-09T03:00:00Z',
      reason: 'load test',
    });
    await api('POST', base, {
      start: '2026-11-01T02:00:00',
      duration: '2h',
      rrule: 'FREQ=WEEKLY;BYDAY=SU',
      timeZone: 'Europe/Berlin',
      reason: 'Sunday maintenance',
    });
    const yaml = await (await fetch(`${burnwatch.url}/api/v1/slos/checkout-errors/openslo`)).text();
    const document = parse(yaml) as { metadata: { annotations: Record<string, string> } };
    const corrections = JSON.parse(document.metadata.annotations['burnwatch.io/corrections']!);
    expect(corrections).toEqual([
      {
        start: '2026-11-09T02:00:00.000Z',
        end: '2026-11-09T03:00:00.000Z',
        reason: 'load test',
        createdBy: 'api',
      },
      expect.objectContaining({ duration: '2h', rrule: 'FREQ=WEEKLY;BYDAY=SU', timeZone: 'Europe/Berlin' }),
    ]);
    const imported = await api('POST', '/api/v1/openslo', yaml, 'application/yaml');
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    expect(imported.body.ignored).toContainEqual({
      field: 'documents[0].metadata.annotations.burnwatch.io/corrections',
      message: expect.stringContaining('POST each to /api/v1/slos/{name}/corrections'),
    });
  });

  it('is in the OpenAPI document', async () => {
    const doc = await api('GET', '/api/docs-json');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/slos/{name}/corrections', '/api/v1/slos/{name}/corrections/{id}']),
    );
  });
});
