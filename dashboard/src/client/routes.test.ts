import { describe, expect, it } from 'vitest';
import { alertHref, inboxHref, parseRoute, patientHref } from './routes.ts';

describe('parseRoute', () => {
  it('reads the wall from an empty hash or #/', () => {
    expect(parseRoute('')).toStrictEqual({ page: 'wall' });
    expect(parseRoute('#/')).toStrictEqual({ page: 'wall' });
  });

  it('reads a patient id and the range, 24 h by default', () => {
    expect(parseRoute('#/patients/p-1')).toStrictEqual({ page: 'patient', id: 'p-1', range: '24h' });
    expect(parseRoute('#/patients/p-1?range=7d')).toStrictEqual({ page: 'patient', id: 'p-1', range: '7d' });
    expect(parseRoute('#/patients/p-1?range=1y')).toStrictEqual({ page: 'patient', id: 'p-1', range: '24h' });
  });

  it('decodes escaped ids and refuses malformed ones', () => {
    expect(parseRoute(`#/patients/${encodeURIComponent('a b/c')}`)).toStrictEqual({
      page: 'patient',
      id: 'a b/c',
      range: '24h',
    });
    expect(parseRoute('#/patients/%E0%A4%A')).toStrictEqual({ page: 'notFound' });
    expect(parseRoute('#/elsewhere')).toStrictEqual({ page: 'notFound' });
  });

  it('round-trips the links it makes', () => {
    expect(parseRoute(patientHref('x/y', '30d'))).toStrictEqual({ page: 'patient', id: 'x/y', range: '30d' });
    expect(patientHref('p1', '24h')).toBe('#/patients/p1');
  });
});

describe('the alert routes', () => {
  it('reads the inbox and its view, my teams by default', () => {
    expect(parseRoute('#/alerts')).toStrictEqual({ page: 'alerts', view: 'teams' });
    expect(parseRoute('#/alerts?view=mine')).toStrictEqual({ page: 'alerts', view: 'mine' });
    expect(parseRoute('#/alerts?view=nonsense')).toStrictEqual({ page: 'alerts', view: 'teams' });
  });

  it('reads one alert, the deep link a notification opens, and round-trips the links it makes', () => {
    expect(parseRoute('#/alerts/0b4c1f2e-9d8a-4c7b-8e6f-1a2b3c4d5e6f')).toStrictEqual({
      page: 'alert',
      id: '0b4c1f2e-9d8a-4c7b-8e6f-1a2b3c4d5e6f',
    });
    expect(parseRoute(alertHref('a/b'))).toStrictEqual({ page: 'alert', id: 'a/b' });
    expect(parseRoute(inboxHref('all'))).toStrictEqual({ page: 'alerts', view: 'all' });
    expect(inboxHref('teams')).toBe('#/alerts');
  });
});

describe('the kiosk link', () => {
  it("reads a wall display's credential from the fragment", () => {
    expect(parseRoute('#/kiosk/abc.DEF-123')).toStrictEqual({ page: 'kiosk', token: 'abc.DEF-123' });
    expect(parseRoute('#/kiosk/')).toStrictEqual({ page: 'notFound' });
  });
});

describe('administration and account', () => {
  it('reads the section, people by default, and refuses an unknown one', () => {
    expect(parseRoute('#/admin')).toStrictEqual({ page: 'admin', section: 'people' });
    expect(parseRoute('#/admin/gateways')).toStrictEqual({ page: 'admin', section: 'gateways' });
    expect(parseRoute('#/admin/secrets')).toStrictEqual({ page: 'notFound' });
    expect(parseRoute('#/account')).toStrictEqual({ page: 'account' });
  });
});
