import { describe, expect, it } from 'vitest';
import { defaultGatewaySettings, gatewaySettingProblem, settingsReportOf } from './gateway-settings.ts';

describe('gateway settings', () => {
  it.each([
    ['maxReadingsPerSecond', 10, null],
    ['maxReadingsPerSecond', 100_000, null],
    ['maxReadingsPerSecond', 9, 'maxReadingsPerSecond must be a whole number from 10 to 100000 (readings/s), got 9'],
    ['uploadBatchReadings', 1001, 'uploadBatchReadings must be a whole number from 1 to 1000 (readings), got 1001'],
    ['logLevel', 'debug', null],
    ['logLevel', 'silent', 'logLevel must be one of fatal, error, warn, info, debug, trace, got "silent"'],
    ['colour', 'red', expect.stringMatching(/^colour is not a gateway setting/)],
  ])('judges %s = %j on both bounds: %s', (name, value, problem) => {
    expect(gatewaySettingProblem(name, value)).toEqual(problem);
  });

  it("keeps of a gateway's report only known settings with plain values, bounded reasons and known pins", () => {
    const r = settingsReportOf({
      revision: 4,
      applied: { ...defaultGatewaySettings(), logLevel: 'debug', evil: 'x', maxReadingsPerSecond: { nested: 1 } },
      ignored: { colour: 'x'.repeat(1000) },
      pinned: ['logLevel', 'colour', 7],
      extra: 'dropped',
    });
    expect(r).toStrictEqual({
      revision: 4,
      // maxReadingsPerSecond was an object: left out.
      applied: {
        logLevel: 'debug',
        uploadBatchReadings: 1000,
        statusIntervalSeconds: 60,
        serverReconnectMaxSeconds: 60,
        bleReconnectMaxSeconds: 60,
      },
      ignored: { colour: 'x'.repeat(300) },
      pinned: ['logLevel'],
    });
  });

  it('is no report without a whole-number (or null) revision', () => {
    expect(settingsReportOf({ revision: '4', applied: {} })).toBeUndefined();
    expect(settingsReportOf('settings')).toBeUndefined();
    expect(settingsReportOf({ revision: null })).toStrictEqual({ revision: null, applied: {} });
  });
});
