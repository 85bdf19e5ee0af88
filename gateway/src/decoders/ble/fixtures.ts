/**
 * Fixture table for the BLE decoders: hand-built payloads (byte by byte from the GATT
 * Specification Supplement) and the whole expected result, worked out by hand from the
 * specification, never by running the decoder. Used by decoders.test.ts and the registry test.
 * Arithmetic for each non-obvious value is in the comment beside it.
 */
import type { DecodeOptions, DecodeResult } from '../result.ts';

export interface Fixture {
  name: string;
  characteristic: string;
  /** Payload hex; spaces separate fields for the reader. */
  hex: string;
  context?: Record<string, string>;
  opts?: DecodeOptions;
  expected: DecodeResult;
}

const UTC: DecodeOptions = { tz: 'UTC' };
const TOKYO: DecodeOptions = { tz: 'Asia/Tokyo' };

/** 2026-11-24 08:00:05 as a Date Time: year 2026 = 0x07EA, month 11, day 24 = 0x18. */
const TS = 'ea07 0b 18 08 00 05';
const TS_UTC = '2026-11-24T08:00:05.000Z';
const TS_TOKYO = '2026-11-23T23:00:05.000Z';

export const FIXTURES: readonly Fixture[] = [
  // ---------------------------------------------------------------- 2A35 Blood Pressure Measurement
  {
    name: 'blood pressure in mmHg with only the three pressures',
    characteristic: '2A35',
    // flags 0; 120 = 0x0078, 80 = 0x0050, 93 = 0x005D (SFLOAT exponent 0)
    hex: '00 7800 5000 5d00',
    expected: {
      ok: true,
      readings: [
        { metric: 'bp_systolic', value: 120, unit: 'mm[Hg]' },
        { metric: 'bp_diastolic', value: 80, unit: 'mm[Hg]' },
        { metric: 'bp_mean', value: 93, unit: 'mm[Hg]' },
      ],
      notes: [],
    },
  },
  {
    name: 'blood pressure in kPa keeps the exact conversion (issue 14)',
    characteristic: '2A35',
    // flags 0x01 = kPa; 18.9 kPa = m 189 e -1 = 0xF0BD; 10.6 = 0xF06A; 12.9 = 0xF081
    // -> 18.9 x 7.500615 = 141.7616235 mmHg, not 142
    hex: '01 bdf0 6af0 81f0',
    expected: {
      ok: true,
      readings: [
        { metric: 'bp_systolic', value: 141.7616235, unit: 'mm[Hg]', source: { value: 18.9, unit: 'kPa' } },
        { metric: 'bp_diastolic', value: 79.506519, unit: 'mm[Hg]', source: { value: 10.6, unit: 'kPa' } },
        { metric: 'bp_mean', value: 96.7579335, unit: 'mm[Hg]', source: { value: 12.9, unit: 'kPa' } },
      ],
      notes: [],
    },
  },
  {
    name: 'blood pressure in kPa with every optional field, read in Tokyo',
    characteristic: '2A35',
    // flags 0x1F; 17.6 kPa = m 176 e -1 = 0xF0B0; 10.6 = 0xF06A; 12.9 = 0xF081; pulse 72 = 0x0048;
    // user 1; status 0x000D = body movement | irregular pulse | pulse range 01 (exceeds upper).
    // exact, not rounded: 17.6 x 7.500615 = 132.010824; 10.6 x 7.500615 = 79.506519; 12.9 x 7.500615 = 96.7579335
    hex: `1f b0f0 6af0 81f0 ${TS} 4800 01 0d00`,
    opts: TOKYO,
    expected: {
      ok: true,
      readings: [
        {
          metric: 'bp_systolic',
          value: 132.010824,
          unit: 'mm[Hg]',
          source: { value: 17.6, unit: 'kPa' },
          time: TS_TOKYO,
          flags: ['body_movement', 'irregular_pulse', 'pulse_rate_exceeds_upper'],
        },
        {
          metric: 'bp_diastolic',
          value: 79.506519,
          unit: 'mm[Hg]',
          source: { value: 10.6, unit: 'kPa' },
          time: TS_TOKYO,
          flags: ['body_movement', 'irregular_pulse', 'pulse_rate_exceeds_upper'],
        },
        {
          metric: 'bp_mean',
          value: 96.7579335,
          unit: 'mm[Hg]',
          source: { value: 12.9, unit: 'kPa' },
          time: TS_TOKYO,
          flags: ['body_movement', 'irregular_pulse', 'pulse_rate_exceeds_upper'],
        },
        {
          metric: 'pulse_rate',
          value: 72,
          unit: '/min',
          time: TS_TOKYO,
          flags: ['body_movement', 'irregular_pulse', 'pulse_rate_exceeds_upper'],
        },
      ],
      notes: [],
      info: { userId: 1 },
    },
  },
  {
    name: 'blood pressure of the unknown user with cuff, pulse-range and position status',
    characteristic: '2A35',
    // flags 0x18 (user id, status); user 0xFF; status 0x0032 = cuff loose | range 10 (below) | position
    hex: '18 7800 5000 5d00 ff 3200',
    expected: {
      ok: true,
      readings: [
        {
          metric: 'bp_systolic',
          value: 120,
          unit: 'mm[Hg]',
          flags: ['cuff_loose', 'pulse_rate_below_lower', 'improper_position'],
        },
        {
          metric: 'bp_diastolic',
          value: 80,
          unit: 'mm[Hg]',
          flags: ['cuff_loose', 'pulse_rate_below_lower', 'improper_position'],
        },
        {
          metric: 'bp_mean',
          value: 93,
          unit: 'mm[Hg]',
          flags: ['cuff_loose', 'pulse_rate_below_lower', 'improper_position'],
        },
      ],
      notes: [],
      info: { userId: 'unknown' },
    },
  },
  {
    name: 'blood pressure special values keep the reading without a value',
    characteristic: '2A35',
    // NaN 0x07FF, NRes 0x0800, +INF 0x07FE; pulse -INF 0x0802
    hex: '04 ff07 0008 fe07 0208',
    expected: {
      ok: true,
      readings: [
        { metric: 'bp_systolic', unit: 'mm[Hg]', flags: ['value_nan'] },
        { metric: 'bp_diastolic', unit: 'mm[Hg]', flags: ['value_nres'] },
        { metric: 'bp_mean', unit: 'mm[Hg]', flags: ['value_pos_inf'] },
        { metric: 'pulse_rate', unit: '/min', flags: ['value_neg_inf'] },
      ],
      notes: [],
    },
  },
  {
    name: 'blood pressure in kPa with a special value has no source',
    characteristic: '2A35',
    // reserved 0x0801; 16.0 kPa = m 160 e -1 = 0xF0A0 -> 120.00984 exactly; 0 kPa
    hex: '01 0108 a0f0 0000',
    expected: {
      ok: true,
      readings: [
        { metric: 'bp_systolic', unit: 'mm[Hg]', flags: ['value_reserved'] },
        { metric: 'bp_diastolic', value: 120.00984, unit: 'mm[Hg]', source: { value: 16, unit: 'kPa' } },
        { metric: 'bp_mean', value: 0, unit: 'mm[Hg]', source: { value: 0, unit: 'kPa' } },
      ],
      notes: [],
    },
  },
  {
    name: 'blood pressure reserved flag bits and trailing bytes are ignored with notes',
    characteristic: '2A35',
    hex: 'e0 7800 5000 5d00 aabb',
    expected: {
      ok: true,
      readings: [
        { metric: 'bp_systolic', value: 120, unit: 'mm[Hg]' },
        { metric: 'bp_diastolic', value: 80, unit: 'mm[Hg]' },
        { metric: 'bp_mean', value: 93, unit: 'mm[Hg]' },
      ],
      notes: ['reserved flag bits 0xE0 are set; ignored', '2 bytes after the last field ignored'],
    },
  },
  {
    name: 'blood pressure reserved status bits and pulse range 3 are ignored with notes',
    characteristic: '2A35',
    // status 0x0058 = range 11 (reserved) | bit 6 (reserved)
    hex: '10 7800 5000 5d00 5800',
    expected: {
      ok: true,
      readings: [
        { metric: 'bp_systolic', value: 120, unit: 'mm[Hg]' },
        { metric: 'bp_diastolic', value: 80, unit: 'mm[Hg]' },
        { metric: 'bp_mean', value: 93, unit: 'mm[Hg]' },
      ],
      notes: [
        'pulse rate range detection value 3 is reserved; ignored',
        'reserved measurement status bits 0x0040 are set; ignored',
      ],
    },
  },
  {
    name: 'blood pressure time stamp of zeros gives no time and a note',
    characteristic: '2A35',
    hex: '02 7800 5000 5d00 00000000000000',
    expected: {
      ok: true,
      readings: [
        { metric: 'bp_systolic', value: 120, unit: 'mm[Hg]' },
        { metric: 'bp_diastolic', value: 80, unit: 'mm[Hg]' },
        { metric: 'bp_mean', value: 93, unit: 'mm[Hg]' },
      ],
      notes: ['time stamp 0000-00-00 00:00:00 is not known (year, month or day is 0): reading has no time'],
    },
  },
  {
    name: 'blood pressure time stamp on 30 February gives no time and a note',
    characteristic: '2A35',
    // 2026-02-30 10:00:00
    hex: '02 7800 5000 5d00 ea07 02 1e 0a 00 00',
    expected: {
      ok: true,
      readings: [
        { metric: 'bp_systolic', value: 120, unit: 'mm[Hg]' },
        { metric: 'bp_diastolic', value: 80, unit: 'mm[Hg]' },
        { metric: 'bp_mean', value: 93, unit: 'mm[Hg]' },
      ],
      notes: ['time stamp 2026-02-30 10:00:00 is not a real date and time: reading has no time'],
    },
  },
  {
    name: 'blood pressure time stamp at hour 24 gives no time and a note',
    characteristic: '2A35',
    hex: '02 7800 5000 5d00 ea07 01 01 18 00 00',
    expected: {
      ok: true,
      readings: [
        { metric: 'bp_systolic', value: 120, unit: 'mm[Hg]' },
        { metric: 'bp_diastolic', value: 80, unit: 'mm[Hg]' },
        { metric: 'bp_mean', value: 93, unit: 'mm[Hg]' },
      ],
      notes: ['time stamp 2026-01-01 24:00:00 is not a real date and time: reading has no time'],
    },
  },
  {
    name: 'blood pressure time stamp in New York summer time is four hours behind UTC',
    characteristic: '2A35',
    // 2026-07-01 12:00:00 EDT = 16:00:00Z
    hex: '02 7800 5000 5d00 ea07 07 01 0c 00 00',
    opts: { tz: 'America/New_York' },
    expected: {
      ok: true,
      readings: [
        { metric: 'bp_systolic', value: 120, unit: 'mm[Hg]', time: '2026-07-01T16:00:00.000Z' },
        { metric: 'bp_diastolic', value: 80, unit: 'mm[Hg]', time: '2026-07-01T16:00:00.000Z' },
        { metric: 'bp_mean', value: 93, unit: 'mm[Hg]', time: '2026-07-01T16:00:00.000Z' },
      ],
      notes: [],
    },
  },

  // ---------------------------------------------------------------- 2A36 Intermediate Cuff Pressure
  {
    name: 'intermediate cuff pressure is an intermediate systolic reading',
    characteristic: '2A36',
    // 150 mmHg = 0x0096; diastolic and mean NaN as the spec requires
    hex: '00 9600 ff07 ff07',
    expected: {
      ok: true,
      readings: [{ metric: 'bp_systolic', value: 150, unit: 'mm[Hg]', flags: ['intermediate'] }],
      notes: [],
    },
  },
  {
    name: 'intermediate cuff pressure in kPa with body movement',
    characteristic: '2A36',
    // 20.0 kPa = m 200 e -1 = 0xF0C8 -> 150.0123 exactly; status 0x0001
    hex: '11 c8f0 ff07 ff07 0100',
    expected: {
      ok: true,
      readings: [
        {
          metric: 'bp_systolic',
          value: 150.0123,
          unit: 'mm[Hg]',
          source: { value: 20, unit: 'kPa' },
          flags: ['intermediate', 'body_movement'],
        },
      ],
      notes: [],
    },
  },
  {
    name: 'intermediate cuff pressure notes diastolic and mean values it ignores',
    characteristic: '2A36',
    hex: '00 9600 5000 ff07',
    expected: {
      ok: true,
      readings: [{ metric: 'bp_systolic', value: 150, unit: 'mm[Hg]', flags: ['intermediate'] }],
      notes: ['diastolic and mean fields of Intermediate Cuff Pressure are unused by the specification; ignored'],
    },
  },

  // ---------------------------------------------------------------- 2A1C / 2A1E / 2A1D temperature
  {
    name: 'temperature in Celsius with nothing else',
    characteristic: '2A1C',
    // 36.5 = FLOAT m 365 (0x00016D) e -1 (0xFF) = 0xFF00016D
    hex: '00 6d0100ff',
    expected: { ok: true, readings: [{ metric: 'body_temperature', value: 36.5, unit: 'Cel' }], notes: [] },
  },
  {
    name: 'temperature in Fahrenheit with time stamp and site',
    characteristic: '2A1C',
    // 98.6 degF = m 986 (0x0003DA) e -1; (98.6 - 32) x 5 / 9 = 37; type 6 = mouth
    hex: `07 da0300ff ${TS} 06`,
    expected: {
      ok: true,
      readings: [
        { metric: 'body_temperature', value: 37, unit: 'Cel', source: { value: 98.6, unit: '[degF]' }, time: TS_UTC },
      ],
      notes: [],
      info: { temperatureType: 'mouth' },
    },
  },
  {
    name: 'temperature below zero uses the signed mantissa',
    characteristic: '2A1C',
    // -12.5 = m -125 (0xFFFF83) e -1 = 0xFFFFFF83
    hex: '00 83ffffff',
    expected: { ok: true, readings: [{ metric: 'body_temperature', value: -12.5, unit: 'Cel' }], notes: [] },
  },
  {
    name: 'temperature site comes from the Temperature Type context when the flag is clear',
    characteristic: '2A1C',
    hex: '00 6d0100ff',
    context: { temperatureType: '03' },
    expected: {
      ok: true,
      readings: [{ metric: 'body_temperature', value: 36.5, unit: 'Cel' }],
      notes: [],
      info: { temperatureType: 'ear' },
    },
  },
  {
    name: 'temperature with a reserved site code notes it',
    characteristic: '2A1C',
    hex: '04 6d0100ff 00',
    expected: {
      ok: true,
      readings: [{ metric: 'body_temperature', value: 36.5, unit: 'Cel' }],
      notes: ['temperature type 0 is reserved; ignored'],
    },
  },
  {
    name: 'temperature FLOAT NaN',
    characteristic: '2A1C',
    hex: '00 ffff7f00',
    expected: { ok: true, readings: [{ metric: 'body_temperature', unit: 'Cel', flags: ['value_nan'] }], notes: [] },
  },
  {
    name: 'temperature FLOAT NRes',
    characteristic: '2A1C',
    hex: '00 00008000',
    expected: { ok: true, readings: [{ metric: 'body_temperature', unit: 'Cel', flags: ['value_nres'] }], notes: [] },
  },
  {
    name: 'temperature FLOAT +INF in Fahrenheit has no source',
    characteristic: '2A1C',
    hex: '01 feff7f00',
    expected: {
      ok: true,
      readings: [{ metric: 'body_temperature', unit: 'Cel', flags: ['value_pos_inf'] }],
      notes: [],
    },
  },
  {
    name: 'temperature FLOAT -INF',
    characteristic: '2A1C',
    hex: '00 02008000',
    expected: {
      ok: true,
      readings: [{ metric: 'body_temperature', unit: 'Cel', flags: ['value_neg_inf'] }],
      notes: [],
    },
  },
  {
    name: 'temperature FLOAT reserved value',
    characteristic: '2A1C',
    hex: '00 01008000',
    expected: {
      ok: true,
      readings: [{ metric: 'body_temperature', unit: 'Cel', flags: ['value_reserved'] }],
      notes: [],
    },
  },
  {
    name: 'intermediate temperature carries the intermediate flag',
    characteristic: '2A1E',
    hex: '00 6d0100ff',
    expected: {
      ok: true,
      readings: [{ metric: 'body_temperature', value: 36.5, unit: 'Cel', flags: ['intermediate'] }],
      notes: [],
    },
  },
  {
    name: 'temperature type alone names the site',
    characteristic: '2A1D',
    hex: '02',
    expected: { ok: true, readings: [], notes: [], info: { temperatureType: 'body' } },
  },

  // ---------------------------------------------------------------- 2A37 Heart Rate Measurement
  {
    name: 'heart rate as uint8 without extras',
    characteristic: '2A37',
    hex: '00 48',
    expected: {
      ok: true,
      readings: [{ metric: 'pulse_rate', value: 72, unit: '/min', flags: ['continuous'] }],
      notes: [],
    },
  },
  {
    name: 'heart rate as uint16 with contact, energy and RR intervals',
    characteristic: '2A37',
    // flags 0x1F; 300 = 0x012C; energy 1000 kJ = 0x03E8; RR 1024/1024 s = 1000 ms, 512/1024 s = 500 ms,
    // 819/1024 s = 799.8046875 ms
    hex: '1f 2c01 e803 0004 0002 3303',
    expected: {
      ok: true,
      readings: [{ metric: 'pulse_rate', value: 300, unit: '/min', flags: ['continuous'] }],
      notes: [],
      info: { sensorContact: 'detected', energyExpendedKJ: 1000, rrIntervalsMs: [1000, 500, 799.8046875] },
    },
  },
  {
    name: 'heart rate without skin contact is flagged',
    characteristic: '2A37',
    hex: '04 3c',
    expected: {
      ok: true,
      readings: [{ metric: 'pulse_rate', value: 60, unit: '/min', flags: ['continuous', 'no_sensor_contact'] }],
      notes: [],
      info: { sensorContact: 'not_detected' },
    },
  },
  {
    name: 'heart rate with an odd byte after the RR intervals notes it',
    characteristic: '2A37',
    hex: '10 3c 0004 01',
    expected: {
      ok: true,
      readings: [{ metric: 'pulse_rate', value: 60, unit: '/min', flags: ['continuous'] }],
      notes: ['1 byte after the last field ignored'],
      info: { rrIntervalsMs: [1000] },
    },
  },
  {
    name: 'heart rate energy expended at its maximum is noted',
    characteristic: '2A37',
    hex: '08 3c ffff',
    expected: {
      ok: true,
      readings: [{ metric: 'pulse_rate', value: 60, unit: '/min', flags: ['continuous'] }],
      notes: ['energy expended reached its maximum of 65535 kJ'],
      info: { energyExpendedKJ: 65535 },
    },
  },

  // ---------------------------------------------------------------- 2A5E PLX Spot-Check
  {
    name: 'PLX spot-check with SpO2 and pulse only',
    characteristic: '2A5E',
    hex: '00 6200 4800',
    expected: {
      ok: true,
      readings: [
        { metric: 'spo2', value: 98, unit: '%' },
        { metric: 'pulse_rate', value: 72, unit: '/min' },
      ],
      notes: [],
    },
  },
  {
    name: 'PLX spot-check with time stamp, both statuses and pulse amplitude index',
    characteristic: '2A5E',
    // flags 0x0F; 97, 65; status 0x0280 = validated (7) | from storage (9);
    // device/sensor 0x002020 = low perfusion (5) | sensor displaced (13); PAI 2.5 = m 25 e -1 = 0xF019
    hex: `0f 6100 4100 ${TS} 8002 202000 19f0`,
    expected: {
      ok: true,
      readings: [
        {
          metric: 'spo2',
          value: 97,
          unit: '%',
          time: TS_UTC,
          flags: ['validated', 'from_storage', 'low_perfusion', 'sensor_displaced'],
        },
        {
          metric: 'pulse_rate',
          value: 65,
          unit: '/min',
          time: TS_UTC,
          flags: ['validated', 'from_storage', 'low_perfusion', 'sensor_displaced'],
        },
        {
          metric: 'perfusion_index',
          value: 2.5,
          unit: '%',
          time: TS_UTC,
          flags: ['validated', 'from_storage', 'low_perfusion', 'sensor_displaced'],
        },
      ],
      notes: [],
    },
  },
  {
    name: 'PLX spot-check with the device clock not set has no time',
    characteristic: '2A5E',
    hex: `11 6200 4800 ${TS}`,
    expected: {
      ok: true,
      readings: [
        { metric: 'spo2', value: 98, unit: '%' },
        { metric: 'pulse_rate', value: 72, unit: '/min' },
      ],
      notes: ['device clock is not set (flag bit 4): reading has no time'],
    },
  },
  {
    name: 'PLX spot-check status bits the PLX Features do not support are ignored',
    characteristic: '2A5E',
    // features: 0x0003 (both status fields), measurement status support 0x0080 (validated),
    // device and sensor status support 0x000020 (low perfusion)
    hex: '06 6100 4100 8002 202000',
    context: { plxFeatures: '0300 8000 200000' },
    expected: {
      ok: true,
      readings: [
        { metric: 'spo2', value: 97, unit: '%', flags: ['validated', 'low_perfusion'] },
        { metric: 'pulse_rate', value: 65, unit: '/min', flags: ['validated', 'low_perfusion'] },
      ],
      notes: [
        'measurement status bits 0x0200 are not supported per PLX Features; ignored',
        'device and sensor status bits 0x002000 are not supported per PLX Features; ignored',
      ],
    },
  },
  {
    name: 'PLX spot-check reserved status bits are noted',
    characteristic: '2A5E',
    hex: '06 6200 4800 0100 000001',
    expected: {
      ok: true,
      readings: [
        { metric: 'spo2', value: 98, unit: '%' },
        { metric: 'pulse_rate', value: 72, unit: '/min' },
      ],
      notes: [
        'reserved measurement status bits 0x0001 are set; ignored',
        'reserved device and sensor status bits 0x010000 are set; ignored',
      ],
    },
  },

  // ---------------------------------------------------------------- 2A5F PLX Continuous
  {
    name: 'PLX continuous with fast, slow, status and pulse amplitude index',
    characteristic: '2A5F',
    // normal 98/70, fast 97/72, slow 96/68; status 0x0020 measurement ongoing; device 0; PAI 1.2 = 0xF00C
    hex: '1f 6200 4600 6100 4800 6000 4400 2000 000000 0cf0',
    expected: {
      ok: true,
      readings: [
        { metric: 'spo2', value: 98, unit: '%', flags: ['continuous', 'measurement_ongoing'] },
        { metric: 'pulse_rate', value: 70, unit: '/min', flags: ['continuous', 'measurement_ongoing'] },
        { metric: 'spo2', value: 97, unit: '%', flags: ['continuous', 'fast', 'measurement_ongoing'] },
        { metric: 'pulse_rate', value: 72, unit: '/min', flags: ['continuous', 'fast', 'measurement_ongoing'] },
        { metric: 'spo2', value: 96, unit: '%', flags: ['continuous', 'slow', 'measurement_ongoing'] },
        { metric: 'pulse_rate', value: 68, unit: '/min', flags: ['continuous', 'slow', 'measurement_ongoing'] },
        { metric: 'perfusion_index', value: 1.2, unit: '%', flags: ['continuous', 'measurement_ongoing'] },
      ],
      notes: [],
    },
  },
  {
    name: 'PLX continuous with only the slow values',
    characteristic: '2A5F',
    hex: '02 6200 4600 6000 4400',
    expected: {
      ok: true,
      readings: [
        { metric: 'spo2', value: 98, unit: '%', flags: ['continuous'] },
        { metric: 'pulse_rate', value: 70, unit: '/min', flags: ['continuous'] },
        { metric: 'spo2', value: 96, unit: '%', flags: ['continuous', 'slow'] },
        { metric: 'pulse_rate', value: 68, unit: '/min', flags: ['continuous', 'slow'] },
      ],
      notes: [],
    },
  },
  {
    name: 'PLX continuous NaN SpO2 and reserved pulse value',
    characteristic: '2A5F',
    hex: '00 ff07 0108',
    expected: {
      ok: true,
      readings: [
        { metric: 'spo2', unit: '%', flags: ['continuous', 'value_nan'] },
        { metric: 'pulse_rate', unit: '/min', flags: ['continuous', 'value_reserved'] },
      ],
      notes: [],
    },
  },
  {
    name: 'PLX features with both status support fields',
    characteristic: '2A60',
    hex: '0300 8000 200000',
    expected: {
      ok: true,
      readings: [],
      notes: [],
      info: {
        supportedFeatures: ['measurement_status', 'device_sensor_status'],
        measurementStatusSupport: ['validated'],
        deviceSensorStatusSupport: ['low_perfusion'],
      },
    },
  },
  {
    name: 'PLX features without status support fields',
    characteristic: '2A60',
    // 0x7C = bits 2-6
    hex: '7c00',
    expected: {
      ok: true,
      readings: [],
      notes: [],
      info: {
        supportedFeatures: [
          'spot_check_storage',
          'spot_check_timestamp',
          'spo2pr_fast',
          'spo2pr_slow',
          'pulse_amplitude_index',
        ],
      },
    },
  },
  {
    name: 'PLX features reserved bits are noted',
    characteristic: '2A60',
    hex: '0001',
    expected: {
      ok: true,
      readings: [],
      notes: ['reserved supported features bits 0x0100 are set; ignored'],
      info: { supportedFeatures: [] },
    },
  },

  // ---------------------------------------------------------------- 2A9D / 2A9E weight
  {
    name: 'weight in kg with nothing else',
    characteristic: '2A9D',
    // 14000 x 0.005 kg = 70 kg
    hex: '00 b036',
    expected: { ok: true, readings: [{ metric: 'body_weight', value: 70, unit: 'kg' }], notes: [] },
  },
  {
    name: 'weight in SI with time stamp, user, BMI and height',
    characteristic: '2A9D',
    // 14470 x 0.005 = 72.35 kg; user 2; BMI 223 x 0.1 = 22.3; height 1802 x 0.001 m = 1.802 m = 180.2 cm
    hex: `0e 8638 ${TS} 02 df00 0a07`,
    expected: {
      ok: true,
      readings: [
        { metric: 'body_weight', value: 72.35, unit: 'kg', time: TS_UTC },
        { metric: 'bmi', value: 22.3, unit: 'kg/m2', time: TS_UTC },
        { metric: 'body_height', value: 180.2, unit: 'cm', source: { value: 1.802, unit: 'm' }, time: TS_UTC },
      ],
      notes: [],
      info: { userId: 2 },
    },
  },
  {
    name: 'weight in imperial units with BMI and height',
    characteristic: '2A9D',
    // exact: 15432 x 0.01 = 154.32 lb x 0.45359237 = 69.9983745384 kg;
    // 709 x 0.1 = 70.9 in x 2.54 = 180.086 cm
    hex: '09 483c df00 c502',
    expected: {
      ok: true,
      readings: [
        { metric: 'body_weight', value: 69.9983745384, unit: 'kg', source: { value: 154.32, unit: '[lb_av]' } },
        { metric: 'bmi', value: 22.3, unit: 'kg/m2' },
        { metric: 'body_height', value: 180.086, unit: 'cm', source: { value: 70.9, unit: '[in_i]' } },
      ],
      notes: [],
    },
  },
  {
    name: 'weight 0xFFFF means the measurement was unsuccessful',
    characteristic: '2A9D',
    hex: '00 ffff',
    expected: {
      ok: true,
      readings: [{ metric: 'body_weight', unit: 'kg', flags: ['measurement_unsuccessful'] }],
      notes: [],
    },
  },
  {
    name: 'weight with the Weight Scale Feature reports its precision but keeps the fixed resolution',
    characteristic: '2A9D',
    // feature 0x000001A7: bits 0-2 set, weight resolution 4 (0.05 kg), height resolution 3 (0.001 m)
    hex: '00 b036',
    context: { weightScaleFeature: 'a7010000' },
    expected: {
      ok: true,
      readings: [{ metric: 'body_weight', value: 70, unit: 'kg' }],
      notes: [],
      info: { weightResolution: { value: 0.05, unit: 'kg' }, heightResolution: { value: 0.001, unit: 'm' } },
    },
  },
  {
    name: 'weight with a malformed feature context notes it',
    characteristic: '2A9D',
    hex: '00 b036',
    context: { weightScaleFeature: 'xyz' },
    expected: {
      ok: true,
      readings: [{ metric: 'body_weight', value: 70, unit: 'kg' }],
      notes: ['context weightScaleFeature is not valid hex; ignored'],
    },
  },
  {
    name: 'weight scale feature with every support bit and both resolutions',
    characteristic: '2A9E',
    hex: 'a7010000',
    expected: {
      ok: true,
      readings: [],
      notes: [],
      info: {
        timeStampSupported: true,
        multipleUsersSupported: true,
        bmiSupported: true,
        weightResolution: { kg: 0.05, lb: 0.1 },
        heightResolution: { m: 0.001, in: 0.1 },
      },
    },
  },
  {
    name: 'weight scale feature with nothing specified',
    characteristic: '2A9E',
    hex: '00000000',
    expected: {
      ok: true,
      readings: [],
      notes: [],
      info: {
        timeStampSupported: false,
        multipleUsersSupported: false,
        bmiSupported: false,
        weightResolution: 'not_specified',
        heightResolution: 'not_specified',
      },
    },
  },
  {
    name: 'weight scale feature with a reserved resolution and reserved bits',
    characteristic: '2A9E',
    // weight resolution 9 (0x48), bit 10 (0x400)
    hex: '48040000',
    expected: {
      ok: true,
      readings: [],
      notes: ['weight resolution value 9 is reserved; ignored', 'reserved feature bits 0x00000400 are set; ignored'],
      info: {
        timeStampSupported: false,
        multipleUsersSupported: false,
        bmiSupported: false,
        weightResolution: 'not_specified',
        heightResolution: 'not_specified',
      },
    },
  },

  // ---------------------------------------------------------------- 2A9C / 2A9B body composition
  {
    name: 'body composition with body fat only',
    characteristic: '2A9C',
    // 234 x 0.1 = 23.4 %
    hex: '0000 ea00',
    expected: { ok: true, readings: [{ metric: 'body_fat', value: 23.4, unit: '%' }], notes: [] },
  },
  {
    name: 'body composition in SI with every field',
    characteristic: '2A9C',
    // flags 0x0FFE; fat 215 -> 21.5 %; user 3; basal 6000 kJ; muscle 405 -> 40.5 %; muscle mass 6000 -> 30 kg;
    // fat free 11000 -> 55 kg; soft lean 10000 -> 50 kg; water 8000 -> 40 kg; impedance 5000 -> 500 ohm;
    // weight 14000 -> 70 kg; height 1750 -> 1.75 m = 175 cm
    hex: `fe0f d700 ${TS} 03 7017 9501 7017 f82a 1027 401f 8813 b036 d606`,
    expected: {
      ok: true,
      readings: [
        { metric: 'body_fat', value: 21.5, unit: '%', time: TS_UTC },
        { metric: 'body_weight', value: 70, unit: 'kg', time: TS_UTC },
        { metric: 'body_height', value: 175, unit: 'cm', source: { value: 1.75, unit: 'm' }, time: TS_UTC },
      ],
      notes: [],
      info: {
        userId: 3,
        basalMetabolismKJ: 6000,
        musclePercent: 40.5,
        muscleMassKg: 30,
        fatFreeMassKg: 55,
        softLeanMassKg: 50,
        bodyWaterMassKg: 40,
        impedanceOhm: 500,
      },
    },
  },
  {
    name: 'body composition in imperial units',
    characteristic: '2A9C',
    // flags 0x0C21; muscle mass 6614 x 0.01 = 66.14 lb = 30.0005993518 kg; weight 154.32 lb -> 69.9983745384 kg;
    // height 70.9 in -> 180.086 cm
    hex: '210c d700 d619 483c c502',
    expected: {
      ok: true,
      readings: [
        { metric: 'body_fat', value: 21.5, unit: '%' },
        { metric: 'body_weight', value: 69.9983745384, unit: 'kg', source: { value: 154.32, unit: '[lb_av]' } },
        { metric: 'body_height', value: 180.086, unit: 'cm', source: { value: 70.9, unit: '[in_i]' } },
      ],
      notes: [],
      info: { muscleMassKg: 30.0005993518 },
    },
  },
  {
    name: 'body composition 0xFFFF means the measurement was unsuccessful',
    characteristic: '2A9C',
    hex: '0000 ffff',
    expected: {
      ok: true,
      readings: [{ metric: 'body_fat', unit: '%', flags: ['measurement_unsuccessful'] }],
      notes: [],
    },
  },
  {
    name: 'body composition packet of a multiple-packet measurement says so',
    characteristic: '2A9C',
    hex: '0014 d700 b036',
    expected: {
      ok: true,
      readings: [
        { metric: 'body_fat', value: 21.5, unit: '%' },
        { metric: 'body_weight', value: 70, unit: 'kg' },
      ],
      notes: ['one packet of a multiple-packet measurement; the other packet completes it'],
      info: { multiplePacket: true },
    },
  },
  {
    name: 'body composition reserved flag bits are noted',
    characteristic: '2A9C',
    hex: '0020 ea00',
    expected: {
      ok: true,
      readings: [{ metric: 'body_fat', value: 23.4, unit: '%' }],
      notes: ['reserved flag bits 0x2000 are set; ignored'],
    },
  },
  {
    name: 'body composition with the feature context reports its precision',
    characteristic: '2A9C',
    // feature 0x0001BE01: mass resolution 7 (0.005 kg / 0.01 lb), height resolution 3 (0.001 m / 0.1 in)
    hex: '0104 ea00 483c',
    context: { bodyCompositionFeature: '01be0100' },
    expected: {
      ok: true,
      readings: [
        { metric: 'body_fat', value: 23.4, unit: '%' },
        { metric: 'body_weight', value: 69.9983745384, unit: 'kg', source: { value: 154.32, unit: '[lb_av]' } },
      ],
      notes: [],
      info: {
        weightResolution: { value: 0.01, unit: '[lb_av]' },
        heightResolution: { value: 0.1, unit: '[in_i]' },
      },
    },
  },
  {
    name: 'body composition feature with resolutions',
    characteristic: '2A9B',
    // 0x0001BE01 = time stamp (0) | weight (9) | height (10) | mass resolution 7 << 11 | height resolution 3 << 15
    hex: '01be0100',
    expected: {
      ok: true,
      readings: [],
      notes: [],
      info: {
        supportedFeatures: ['time_stamp', 'weight', 'height'],
        massResolution: { kg: 0.005, lb: 0.01 },
        heightResolution: { m: 0.001, in: 0.1 },
      },
    },
  },

  // ---------------------------------------------------------------- 2A18 / 2A34 / 2A51 glucose
  {
    name: 'glucose in kg/L with a time offset',
    characteristic: '2A18',
    // seq 1; offset +60 min; 95 mg/dL = 0.00095 kg/L = m 95 e -5 = 0xB05F; capillary whole blood, finger = 0x11
    hex: `03 0100 ${TS} 3c00 5fb0 11`,
    expected: {
      ok: true,
      readings: [
        {
          metric: 'glucose',
          value: 95,
          unit: 'mg/dL',
          source: { value: 0.00095, unit: 'kg/L' },
          time: '2026-11-24T09:00:05.000Z',
        },
      ],
      notes: [],
      info: {
        sequenceNumber: 1,
        timeOffsetMinutes: 60,
        sampleType: 'capillary_whole_blood',
        sampleLocation: 'finger',
      },
    },
  },
  {
    name: 'glucose in mol/L keeps the exact conversion (issue 14)',
    characteristic: '2A18',
    // flags 0x06 = concentration in mol/L; seq 1; 5.4 mmol/L = 0.0054 mol/L = m 54 e -4 = 0xC036
    // -> 5.4 x 18.016 = 97.2864 mg/dL, not 97.3; capillary whole blood, finger = 0x11
    hex: `06 0100 ${TS} 36c0 11`,
    expected: {
      ok: true,
      readings: [
        { metric: 'glucose', value: 97.2864, unit: 'mg/dL', source: { value: 0.0054, unit: 'mol/L' }, time: TS_UTC },
      ],
      notes: [],
      info: { sequenceNumber: 1, sampleType: 'capillary_whole_blood', sampleLocation: 'finger' },
    },
  },
  {
    name: 'glucose in mol/L with sensor status and context to follow',
    characteristic: '2A18',
    // seq 258 = 0x0102; 5.3 mmol/L = 0.0053 mol/L = m 53 e -4 = 0xC035 -> 5.3 x 18.016 = 95.4848 exactly;
    // capillary plasma, alternate site = 0x22; status 0x0021 = battery low | result above range
    hex: `1e 0201 ${TS} 35c0 22 2100`,
    expected: {
      ok: true,
      readings: [
        {
          metric: 'glucose',
          value: 95.4848,
          unit: 'mg/dL',
          source: { value: 0.0053, unit: 'mol/L' },
          time: TS_UTC,
          flags: ['battery_low', 'result_above_range'],
        },
      ],
      notes: [],
      info: {
        sequenceNumber: 258,
        sampleType: 'capillary_plasma',
        sampleLocation: 'alternate_site_test',
        contextFollows: true,
      },
    },
  },
  {
    name: 'glucose control solution test is flagged',
    characteristic: '2A18',
    hex: `02 0300 ${TS} 5fb0 4a`,
    expected: {
      ok: true,
      readings: [
        {
          metric: 'glucose',
          value: 95,
          unit: 'mg/dL',
          source: { value: 0.00095, unit: 'kg/L' },
          time: TS_UTC,
          flags: ['control_solution'],
        },
      ],
      notes: [],
      info: { sequenceNumber: 3, sampleType: 'control_solution', sampleLocation: 'control_solution' },
    },
  },
  {
    name: 'glucose record without a concentration has no reading',
    characteristic: '2A18',
    hex: `00 0400 ${TS}`,
    expected: {
      ok: true,
      readings: [],
      notes: ['record carries no glucose concentration (flag bit 1 clear)'],
      info: { sequenceNumber: 4 },
    },
  },
  {
    name: 'glucose negative time offset crosses midnight in Tokyo',
    characteristic: '2A18',
    // base 2026-11-24 00:10:00, offset -30 min (0xFFE2) -> 2026-11-23 23:40:00 JST = 14:40:00Z
    hex: '03 0500 ea07 0b 18 00 0a 00 e2ff 5fb0 11',
    opts: TOKYO,
    expected: {
      ok: true,
      readings: [
        {
          metric: 'glucose',
          value: 95,
          unit: 'mg/dL',
          source: { value: 0.00095, unit: 'kg/L' },
          time: '2026-11-23T14:40:00.000Z',
        },
      ],
      notes: [],
      info: {
        sequenceNumber: 5,
        timeOffsetMinutes: -30,
        sampleType: 'capillary_whole_blood',
        sampleLocation: 'finger',
      },
    },
  },
  {
    name: 'glucose with an unknown base time and NaN concentration',
    characteristic: '2A18',
    hex: '02 0600 00000000000000 ff07 00',
    expected: {
      ok: true,
      readings: [{ metric: 'glucose', unit: 'mg/dL', flags: ['value_nan'] }],
      notes: [
        'base time 0000-00-00 00:00:00 is not known (year, month or day is 0): reading has no time',
        'sample type 0 is reserved; ignored',
        'sample location 0 is reserved; ignored',
      ],
      info: { sequenceNumber: 6 },
    },
  },
  {
    name: 'glucose context with every field',
    characteristic: '2A34',
    // flags 0xDF; seq 258; ext 0; breakfast, 0.05 kg (m 5 e -2 = 0xE005) = 50 g; preprandial; self + no health issues = 0x51;
    // 1800 s; 50 %; rapid acting insulin 2e-6 kg (m 2 e -6 = 0xA002) = 2 mg; HbA1c 6.5 % (0xF041)
    hex: 'df 0201 00 01 05e0 01 51 0807 32 01 02a0 41f0',
    expected: {
      ok: true,
      readings: [],
      notes: [],
      info: {
        sequenceNumber: 258,
        carbohydrate: { id: 'breakfast', grams: 50 },
        meal: 'preprandial',
        tester: 'self',
        health: 'no_health_issues',
        exerciseDurationS: 1800,
        exerciseIntensityPercent: 50,
        medication: { id: 'rapid_acting_insulin', milligrams: 2 },
        hba1cPercent: 6.5,
      },
    },
  },
  {
    name: 'glucose context medication in liters',
    characteristic: '2A34',
    // pre-mixed insulin 0.0001 L (m 1 e -4 = 0xC001) = 0.1 mL
    hex: '30 0100 05 01c0',
    expected: {
      ok: true,
      readings: [],
      notes: [],
      info: { sequenceNumber: 1, medication: { id: 'pre_mixed_insulin', milliliters: 0.1 } },
    },
  },
  {
    name: 'glucose context reserved extended flags are noted',
    characteristic: '2A34',
    hex: '80 0100 01',
    expected: {
      ok: true,
      readings: [],
      notes: ['reserved extended flag bits 0x01 are set; ignored'],
      info: { sequenceNumber: 1 },
    },
  },
  {
    name: 'glucose feature with every defined bit',
    characteristic: '2A51',
    hex: 'ff07',
    expected: {
      ok: true,
      readings: [],
      notes: [],
      info: {
        supportedFeatures: [
          'low_battery_detection',
          'sensor_malfunction_detection',
          'sample_size',
          'strip_insertion_error_detection',
          'strip_type_error_detection',
          'result_high_low_detection',
          'temperature_high_low_detection',
          'read_interrupt_detection',
          'general_device_fault',
          'time_fault',
          'multiple_bond',
        ],
      },
    },
  },
  {
    name: 'glucose feature reserved bit is noted',
    characteristic: '2A51',
    hex: '0008',
    expected: {
      ok: true,
      readings: [],
      notes: ['reserved feature bits 0x0800 are set; ignored'],
      info: { supportedFeatures: [] },
    },
  },

  // ---------------------------------------------------------------- 2A52 RACP
  {
    name: 'RACP report all records',
    characteristic: '2A52',
    hex: '01 01',
    expected: {
      ok: true,
      readings: [],
      notes: [],
      info: { racp: { opCode: 'report_stored_records', operator: 'all_records' } },
    },
  },
  {
    name: 'RACP report records with sequence number greater than or equal to 5',
    characteristic: '2A52',
    hex: '01 03 01 0500',
    expected: {
      ok: true,
      readings: [],
      notes: [],
      info: {
        racp: {
          opCode: 'report_stored_records',
          operator: 'greater_than_or_equal_to',
          filter: { type: 'sequence_number', min: 5 },
        },
      },
    },
  },
  {
    name: 'RACP report number of records up to sequence number 10',
    characteristic: '2A52',
    hex: '04 02 01 0a00',
    expected: {
      ok: true,
      readings: [],
      notes: [],
      info: {
        racp: {
          opCode: 'report_number_of_stored_records',
          operator: 'less_than_or_equal_to',
          filter: { type: 'sequence_number', max: 10 },
        },
      },
    },
  },
  {
    name: 'RACP delete records within a sequence range',
    characteristic: '2A52',
    hex: '02 04 01 0100 0a00',
    expected: {
      ok: true,
      readings: [],
      notes: [],
      info: {
        racp: {
          opCode: 'delete_stored_records',
          operator: 'within_range_of',
          filter: { type: 'sequence_number', min: 1, max: 10 },
        },
      },
    },
  },
  {
    name: 'RACP report records from a user facing time',
    characteristic: '2A52',
    hex: `01 03 02 ${TS}`,
    expected: {
      ok: true,
      readings: [],
      notes: [],
      info: {
        racp: {
          opCode: 'report_stored_records',
          operator: 'greater_than_or_equal_to',
          filter: { type: 'user_facing_time', min: '2026-11-24 08:00:05' },
        },
      },
    },
  },
  {
    name: 'RACP abort',
    characteristic: '2A52',
    hex: '03 00',
    expected: {
      ok: true,
      readings: [],
      notes: [],
      info: { racp: { opCode: 'abort_operation', operator: 'null' } },
    },
  },
  {
    name: 'RACP number of stored records response',
    characteristic: '2A52',
    hex: '05 00 0c00',
    expected: {
      ok: true,
      readings: [],
      notes: [],
      info: { racp: { opCode: 'number_of_stored_records_response', numberOfRecords: 12 } },
    },
  },
  {
    name: 'RACP success response to a report request',
    characteristic: '2A52',
    hex: '06 00 01 01',
    expected: {
      ok: true,
      readings: [],
      notes: [],
      info: { racp: { opCode: 'response_code', requestOpCode: 'report_stored_records', responseCode: 'success' } },
    },
  },
  {
    name: 'RACP no records found response',
    characteristic: '2A52',
    hex: '06 00 01 06',
    expected: {
      ok: true,
      readings: [],
      notes: [],
      info: {
        racp: { opCode: 'response_code', requestOpCode: 'report_stored_records', responseCode: 'no_records_found' },
      },
    },
  },
  {
    name: 'RACP reserved op code is noted, not an error',
    characteristic: '2A52',
    hex: '09 00',
    expected: {
      ok: true,
      readings: [],
      notes: ['RACP op code 9 is reserved or not supported; not decoded'],
      info: { racp: { opCode: 9 } },
    },
  },

  // ---------------------------------------------------------------- battery, device information
  {
    name: 'battery level',
    characteristic: '2A19',
    hex: '64',
    expected: { ok: true, readings: [], notes: [], info: { batteryLevel: 100 } },
  },
  {
    name: 'battery level above 100 is ignored with a note',
    characteristic: '2A19',
    hex: '65',
    expected: { ok: true, readings: [], notes: ['battery level 101 is above 100 %; ignored'] },
  },
  {
    name: 'battery level with a trailing byte',
    characteristic: '2A19',
    hex: '50 00',
    expected: { ok: true, readings: [], notes: ['1 byte after the last field ignored'], info: { batteryLevel: 80 } },
  },
  {
    name: 'manufacturer name',
    characteristic: '2A29',
    hex: '412644204d65646963616c',
    expected: { ok: true, readings: [], notes: [], info: { manufacturerName: 'A&D Medical' } },
  },
  {
    name: 'model number with NUL padding',
    characteristic: '2A24',
    hex: '55412d363531424c45 0000',
    expected: { ok: true, readings: [], notes: ['2 NUL padding byte(s) stripped'], info: { modelNumber: 'UA-651BLE' } },
  },
  {
    name: 'serial number in UTF-8 Japanese',
    characteristic: '2A25',
    // 体 E4 BD 93, 温 E6 B8 A9, 計 E8 A8 88
    hex: 'e4bd93 e6b8a9 e8a888 3031',
    expected: { ok: true, readings: [], notes: [], info: { serialNumber: '体温計01' } },
  },
  {
    name: 'firmware revision',
    characteristic: '2A26',
    hex: '312e302e33',
    expected: { ok: true, readings: [], notes: [], info: { firmwareRevision: '1.0.3' } },
  },
  {
    name: 'hardware revision that is not valid UTF-8',
    characteristic: '2A27',
    hex: '41 ff 42',
    expected: {
      ok: true,
      readings: [],
      notes: ['not valid UTF-8; invalid bytes replaced with U+FFFD'],
      info: { hardwareRevision: 'A\uFFFDB' },
    },
  },
  {
    name: 'software revision',
    characteristic: '2A28',
    hex: '322e31',
    expected: { ok: true, readings: [], notes: [], info: { softwareRevision: '2.1' } },
  },
  {
    name: 'system id splits the manufacturer identifier and the OUI',
    characteristic: '2A23',
    hex: '0102030405 0a0b0c',
    expected: {
      ok: true,
      readings: [],
      notes: [],
      info: { systemId: { manufacturerIdentifier: '0504030201', organizationallyUniqueIdentifier: '0C0B0A' } },
    },
  },

  // ---------------------------------------------------------------- clocks
  {
    name: 'current time in Tokyo with fractions and adjust reason',
    characteristic: '2A2B',
    // 2026-11-24 is a Tuesday (2); fractions 128/256; adjust reason manual (bit 0)
    hex: `${TS} 02 80 01`,
    opts: TOKYO,
    expected: {
      ok: true,
      readings: [],
      notes: [],
      info: {
        clock: {
          local: '2026-11-24 08:00:05',
          time: TS_TOKYO,
          dayOfWeek: 'tuesday',
          fractions256: 128,
          adjustReason: ['manual_time_update'],
        },
      },
    },
  },
  {
    name: 'current time with unknown day of week and reserved adjust reason bits',
    characteristic: '2A2B',
    hex: `${TS} 00 00 10`,
    expected: {
      ok: true,
      readings: [],
      notes: ['reserved adjust reason bits 0x10 are set; ignored'],
      info: {
        clock: { local: '2026-11-24 08:00:05', time: TS_UTC, dayOfWeek: 'unknown', fractions256: 0, adjustReason: [] },
      },
    },
  },
  {
    name: 'date time',
    characteristic: '2A08',
    hex: TS,
    expected: { ok: true, readings: [], notes: [], info: { clock: { local: '2026-11-24 08:00:05', time: TS_UTC } } },
  },
  {
    name: 'date time that was never set',
    characteristic: '2A08',
    hex: '00000000000000',
    expected: {
      ok: true,
      readings: [],
      notes: ['device clock 0000-00-00 00:00:00 is not known (year, month or day is 0)'],
      info: { clock: { local: '0000-00-00 00:00:00' } },
    },
  },
];

export function fixtureBytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex.replace(/\s+/g, ''), 'hex'));
}

export const DEFAULT_OPTS = UTC;
