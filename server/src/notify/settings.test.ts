import { expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { alertConfigProblems } from './settings.ts';

it('refuses a site-wide webhook inside the network at start, naming the setting', () => {
  for (const url of [
    'http://10.0.0.5/hook',
    'https://169.254.169.254/',
    'https://[::1]/hook',
    'http://127.0.0.1:9/hook',
  ])
    expect(alertConfigProblems(loadConfig({ VITALS_ALERT_WEBHOOK_URL: url }))).toEqual([
      `VITALS_ALERT_WEBHOOK_URL=${url}: the host is not a public internet address (private, loopback, link-local and similar addresses are refused)`,
    ]);
  expect(alertConfigProblems(loadConfig({ VITALS_ALERT_WEBHOOK_URL: 'http://integration.example/hook' }))).toEqual([
    'VITALS_ALERT_WEBHOOK_URL=http://integration.example/hook: use an https URL',
  ]);
  expect(alertConfigProblems(loadConfig({ VITALS_ALERT_WEBHOOK_URL: 'https://integration.example/hook' }))).toEqual([]);
});

it('allows a loopback site-wide webhook, over http too, only with the development setting', () => {
  const env = { VITALS_ALERT_WEBHOOK_URL: 'http://127.0.0.1:9/hook', VITALS_ALLOW_LOOPBACK_WEBHOOKS: 'true' };
  expect(loadConfig(env).allowLoopbackWebhooks).toBe(true);
  expect(alertConfigProblems(loadConfig(env))).toEqual([]);
  expect(alertConfigProblems(loadConfig({ ...env, VITALS_ALERT_WEBHOOK_URL: 'http://10.0.0.5/hook' }))).toHaveLength(1);
  expect(loadConfig({}).allowLoopbackWebhooks).toBe(false);
});
