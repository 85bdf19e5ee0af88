import { describe, expect, it } from 'vitest';
import { checkTargetUrl, classifyAddress, NOT_PUBLIC_TARGET, resolveTarget } from './webhook-target.ts';

const production = { allowLoopback: false };
const development = { allowLoopback: true };

describe('webhook target addresses', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['2001:4860:4860::8888', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.1.2.3', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['169.254.169.254', 'forbidden'],
    ['::ffff:169.254.169.254', 'forbidden'],
    ['10.1.2.3', 'forbidden'],
    ['172.16.0.1', 'forbidden'],
    ['192.168.1.1', 'forbidden'],
    ['::ffff:10.0.0.1', 'forbidden'],
    ['::ffff:a00:1', 'forbidden'],
    ['100.64.0.1', 'forbidden'],
    ['0.0.0.0', 'forbidden'],
    ['0.1.2.3', 'forbidden'],
    ['224.0.0.1', 'forbidden'],
    ['255.255.255.255', 'forbidden'],
    ['fc00::1', 'forbidden'],
    ['fd12:3456::1', 'forbidden'],
    ['fe80::1', 'forbidden'],
    ['ff02::1', 'forbidden'],
    ['::', 'forbidden'],
    ['2002:a00:1::1', 'forbidden'], // 6to4 carrying 10.0.0.1
    ['64:ff9b::a00:1', 'forbidden'], // NAT64 carrying 10.0.0.1
    ['not an address', 'forbidden'],
  ])('classifies %s as %s', (ip, want) => {
    expect(classifyAddress(ip)).toBe(want);
  });

  it.each([
    ['http://127.0.0.1:8080/hook', NOT_PUBLIC_TARGET],
    ['https://127.0.0.1/hook', NOT_PUBLIC_TARGET],
    ['https://[::1]/hook', NOT_PUBLIC_TARGET],
    ['https://2130706433/hook', NOT_PUBLIC_TARGET], // 127.0.0.1 written as one number
    ['https://169.254.169.254/latest/meta-data/', NOT_PUBLIC_TARGET],
    ['https://10.0.0.5/hook', NOT_PUBLIC_TARGET],
    ['https://[::ffff:10.0.0.5]/hook', NOT_PUBLIC_TARGET],
    ['https://[fd00::5]/hook', NOT_PUBLIC_TARGET],
    ['http://93.184.216.34/hook', 'use an https URL'],
    ['http://pager.example/hook', 'use an https URL'],
    ['ftp://pager.example/hook', 'use an https URL'],
    ['https://user:pw@pager.example/hook', 'put no user name or password in the URL; use the signing secret instead'],
    ['pager.example/hook', 'not a URL'],
  ])('refuses %s in production: %s', (url, reason) => {
    expect(checkTargetUrl(url, production)).toEqual({ ok: false, reason });
  });

  it('accepts https to a public address or a name (names are resolved when sending)', () => {
    expect(checkTargetUrl('https://93.184.216.34/hook', production).ok).toBe(true);
    expect(checkTargetUrl('https://pager.example/hook', production).ok).toBe(true);
  });

  it('allows loopback, over http too, only with the development setting; never private ranges', () => {
    expect(checkTargetUrl('http://127.0.0.1:8080/hook', development).ok).toBe(true);
    expect(checkTargetUrl('http://[::1]:8080/hook', development).ok).toBe(true);
    expect(checkTargetUrl('http://10.0.0.5/hook', development)).toEqual({ ok: false, reason: NOT_PUBLIC_TARGET });
    expect(checkTargetUrl('http://93.184.216.34/hook', development)).toEqual({
      ok: false,
      reason: 'use an https URL',
    });
  });

  it('refuses a name if any of its addresses is internal, and pins the first when all are public', async () => {
    const dns = (addresses: string[]) => async () =>
      addresses.map((address) => ({ address, family: address.includes(':') ? (6 as const) : (4 as const) }));
    expect(await resolveTarget('https://pager.example/hook', production, dns(['93.184.216.34', '10.0.0.5']))).toEqual({
      ok: false,
      refused: true,
      reason: NOT_PUBLIC_TARGET,
      detail: `pager.example resolves to 10.0.0.5: ${NOT_PUBLIC_TARGET}`,
    });
    const ok = await resolveTarget('https://pager.example/hook', production, dns(['93.184.216.34', '2001:db8::1']));
    expect(ok.ok).toBe(false); // 2001:db8::/32 is documentation space, not public
    const pinned = await resolveTarget('https://pager.example/hook', production, dns(['93.184.216.34']));
    expect(pinned).toMatchObject({ ok: true, pin: { address: '93.184.216.34', family: 4 } });
    // http to a name is allowed in development only when every address is loopback.
    expect(await resolveTarget('http://localhost:9/hook', development, dns(['127.0.0.1']))).toMatchObject({ ok: true });
    expect(await resolveTarget('http://pager.example/hook', development, dns(['93.184.216.34']))).toMatchObject({
      ok: false,
      refused: true,
      reason: 'use an https URL',
    });
  });

  it('tells a name that does not resolve apart from a refused one only in the log detail', async () => {
    const r = await resolveTarget('https://nowhere.example/hook', production, async () => {
      throw new Error('getaddrinfo ENOTFOUND nowhere.example');
    });
    expect(r).toEqual({
      ok: false,
      refused: false,
      reason: NOT_PUBLIC_TARGET,
      detail: 'cannot resolve nowhere.example: getaddrinfo ENOTFOUND nowhere.example',
    });
  });
});
