import { describe, expect, it } from 'vitest';
import { mayPublish, maySubscribe } from './gateway-acl.ts';

describe('gateway topic ACL', () => {
  it('lets a gateway publish readings, status and events under its own id', () => {
    for (const s of ['readings', 'status', 'events'])
      expect(mayPublish('gw-a', `vitals/v1/gw/gw-a/${s}`, s === 'status')).toBeNull();
  });

  it('refuses publishing under another gateway id or to server topics', () => {
    expect(mayPublish('gw-a', 'vitals/v1/gw/gw-b/readings', false)).toMatch(/may not publish/);
    expect(mayPublish('gw-a', 'vitals/v1/gw/gw-a/ack', false)).toMatch(/may not publish/);
    expect(mayPublish('gw-a', 'vitals/v1/gw/gw-a/config', false)).toMatch(/may not publish/);
    expect(mayPublish('gw-a', 'vitals/v1/gw/+/readings', false)).toMatch(/may not publish/);
  });

  it('refuses retained readings', () => {
    expect(mayPublish('gw-a', 'vitals/v1/gw/gw-a/readings', true)).toMatch(/only status/);
  });

  it('lets a gateway subscribe only to its own config and ack', () => {
    expect(maySubscribe('gw-a', 'vitals/v1/gw/gw-a/config')).toBeNull();
    expect(maySubscribe('gw-a', 'vitals/v1/gw/gw-a/ack')).toBeNull();
    expect(maySubscribe('gw-a', 'vitals/v1/gw/gw-b/config')).toMatch(/may not subscribe/);
    expect(maySubscribe('gw-a', 'vitals/v1/gw/+/ack')).toMatch(/may not subscribe/);
    expect(maySubscribe('gw-a', 'vitals/v1/gw/#')).toMatch(/may not subscribe/);
    expect(maySubscribe('gw-a', 'vitals/v1/gw/gw-a/readings')).toMatch(/may not subscribe/);
  });
});
