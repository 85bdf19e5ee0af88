import { describe, expect, it } from 'vitest';
import { ruleMatches, serialDeviceId } from './index.ts';

describe('serial port rules', () => {
  const name = 'usb-Contec_CMS50D+_0001-if00-port0';

  it('matches a plain rule as a substring of the by-id name', () => {
    expect(ruleMatches({ match: 'Contec', protocol: 'contec-cms50d-live' }, name)).toBe(true);
    expect(ruleMatches({ match: 'Nonin', protocol: 'nonin-format2' }, name)).toBe(false);
  });

  it('matches a rule written as /regex/flags as a regular expression', () => {
    expect(ruleMatches({ match: '/cms50d\\+_\\d{4}/i', protocol: 'contec-cms50d-live' }, name)).toBe(true);
    expect(ruleMatches({ match: '/^Contec/', protocol: 'contec-cms50d-live' }, name)).toBe(false);
  });

  it('never matches with a regular expression that does not compile', () => {
    expect(ruleMatches({ match: '/(/', protocol: 'contec-cms50d-live' }, name)).toBe(false);
  });

  it('makes the device id from the by-id name, replacing characters the contract does not allow', () => {
    expect(serialDeviceId(name)).toBe('serial:usb-Contec_CMS50D+_0001-if00-port0');
    expect(serialDeviceId('usb-Acme Meter (v2)-if00')).toBe('serial:usb-Acme_Meter__v2_-if00');
  });
});
