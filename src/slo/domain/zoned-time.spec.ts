import { describe, expect, it } from 'vitest';
import { instantOfWallTime, isTimeZone, offsetMsAt, wallTimeAt } from './zoned-time.js';

const wall = (text: string) => {
  const [date, time] = text.split('T');
  const [year, month, day] = date!.split('-').map(Number);
  const [hour, minute] = time!.split(':').map(Number);
  return { year: year!, month: month!, day: day!, hour: hour!, minute: minute!, second: 0 };
};
const iso = (ms: number) => new Date(ms).toISOString().replace('.000', '');

describe('wall time in a time zone', () => {
  it.each([
    {
      name: 'a winter time in Berlin is one hour ahead of UTC',
      wall: '2026-01-15T12:00',
      zone: 'Europe/Berlin',
      instant: '2026-01-15T11:00:00Z',
    },
    {
      name: 'a summer time in Berlin is two hours ahead of UTC',
      wall: '2026-07-15T12:00',
      zone: 'Europe/Berlin',
      instant: '2026-07-15T10:00:00Z',
    },
    {
      name: 'a time skipped when Berlin springs forward moves forward by the gap',
      wall: '2026-03-29T02:30',
      zone: 'Europe/Berlin',
      instant: '2026-03-29T01:30:00Z',
    },
    {
      name: 'a time that occurs twice when Berlin falls back is the earlier one',
      wall: '2026-10-25T02:30',
      zone: 'Europe/Berlin',
      instant: '2026-10-25T00:30:00Z',
    },
    {
      name: 'the hour after the fall-back repeat is on standard time',
      wall: '2026-10-25T03:00',
      zone: 'Europe/Berlin',
      instant: '2026-10-25T02:00:00Z',
    },
    {
      name: 'New York skips 02:00–03:00 on its spring-forward night',
      wall: '2026-03-08T02:15',
      zone: 'America/New_York',
      instant: '2026-03-08T07:15:00Z',
    },
    {
      name: 'New York repeats 01:00–02:00 on its fall-back night (earlier reading)',
      wall: '2026-11-01T01:30',
      zone: 'America/New_York',
      instant: '2026-11-01T05:30:00Z',
    },
    {
      name: 'Lord Howe Island springs forward by half an hour',
      wall: '2026-10-04T02:15',
      zone: 'Australia/Lord_Howe',
      instant: '2026-10-03T15:45:00Z',
    },
    {
      name: 'a zone with no clock changes is a fixed offset',
      wall: '2026-06-01T00:00',
      zone: 'Asia/Kolkata',
      instant: '2026-05-31T18:30:00Z',
    },
  ])('$name', ({ wall: text, zone, instant }) => {
    expect(iso(instantOfWallTime(wall(text), zone))).toBe(instant);
  });

  it('reads an instant back as the wall time it shows in the zone', () => {
    expect(wallTimeAt(Date.parse('2026-10-25T00:30:00Z'), 'Europe/Berlin')).toEqual(wall('2026-10-25T02:30'));
    expect(wallTimeAt(Date.parse('2026-10-25T01:30:00Z'), 'Europe/Berlin')).toEqual(wall('2026-10-25T02:30'));
    expect(offsetMsAt(Date.parse('2026-10-25T01:30:00Z'), 'Europe/Berlin')).toBe(3_600_000);
  });

  it('knows IANA zones and refuses made-up ones', () => {
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
  });
});
