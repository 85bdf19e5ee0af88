/** Fixtures worked out by hand from the GATT Specification Supplement layouts (see each module). */
import { describe, expect, it } from 'vitest';
import {
  encodeBatteryLevel,
  encodeBloodPressureFeature,
  encodeBloodPressureMeasurement,
  encodeCurrentTime,
  encodeDateTime,
  encodeGlucoseContext,
  encodeGlucoseFeature,
  encodeGlucoseMeasurement,
  encodeIntermediateCuffPressure,
  encodePlxContinuous,
  encodePlxFeatures,
  encodePlxSpotCheck,
  encodeRacpNumberOfRecords,
  encodeRacpResponseCode,
  encodeSystemId,
  encodeTemperatureMeasurement,
  encodeTemperatureType,
  encodeUtf8String,
  encodeWeightMeasurement,
  encodeWeightScaleFeature,
  fromHex,
  parseRacpRequest,
  parseWrittenDateTime,
  RACP_OP_CODES,
  RACP_RESPONSE_CODES,
  toHex,
} from './index.ts';

const t = (year: number, month: number, day: number, hours: number, minutes: number, seconds: number) => ({
  year,
  month,
  day,
  hours,
  minutes,
  seconds,
});

describe('Blood Pressure Measurement 2A35', () => {
  it('encodes mmHg with time stamp, pulse rate and measurement status', () => {
    const bytes = encodeBloodPressureMeasurement({
      unit: 'mmHg',
      systolic: 132,
      diastolic: 84,
      meanArterial: 100,
      time: t(2026, 11, 24, 16, 59, 58),
      pulseRate: 72,
      status: { irregularPulse: true },
    });
    expect(toHex(bytes)).toBe('16' + '8400' + '5400' + '6400' + 'ea070b18103b3a' + '4800' + '0400');
  });

  it('encodes kPa with one decimal and a user id', () => {
    const bytes = encodeBloodPressureMeasurement({
      unit: 'kPa',
      systolic: 17.6,
      diastolic: 11.2,
      meanArterial: 13.3,
      userId: 1,
    });
    expect(toHex(bytes)).toBe('09' + 'b0f0' + '70f0' + '85f0' + '01');
  });

  it('packs the pulse rate range into bits 3 and 4 of the status', () => {
    const bytes = encodeBloodPressureMeasurement({
      unit: 'mmHg',
      systolic: 120,
      diastolic: 80,
      meanArterial: 93,
      status: { bodyMovement: true, pulseRateRange: 'above' },
    });
    expect(toHex(bytes)).toBe('10' + '7800' + '5000' + '5d00' + '0900');
  });

  it('writes a failed component as the SFLOAT NaN', () => {
    const bytes = encodeBloodPressureMeasurement({
      unit: 'mmHg',
      systolic: 'NaN',
      diastolic: 'NaN',
      meanArterial: 'NaN',
    });
    expect(toHex(bytes)).toBe('00ff07ff07ff07');
  });
});

describe('Intermediate Cuff Pressure 2A36', () => {
  it('puts the cuff pressure first and NaN in the diastolic and mean fields', () => {
    expect(toHex(encodeIntermediateCuffPressure({ unit: 'mmHg', cuffPressure: 85 }))).toBe(
      '00' + '5500' + 'ff07' + 'ff07',
    );
  });
});

describe('Blood Pressure Feature 2A49', () => {
  it('sets one bit per supported status', () => {
    expect(toHex(encodeBloodPressureFeature({ bodyMovement: true, irregularPulse: true, multipleBond: true }))).toBe(
      '2500',
    );
  });
});

describe('Temperature Measurement 2A1C', () => {
  it('encodes Celsius as FLOAT with time stamp and temperature type', () => {
    const bytes = encodeTemperatureMeasurement({
      unit: 'Cel',
      temperature: 36.6,
      time: t(2026, 1, 5, 7, 30, 0),
      type: 'ear',
    });
    expect(toHex(bytes)).toBe('06' + '6e0100ff' + 'ea07' + '01' + '05' + '07' + '1e' + '00' + '03');
  });

  it('encodes Fahrenheit with the unit flag', () => {
    expect(toHex(encodeTemperatureMeasurement({ unit: 'degF', temperature: 98.6 }))).toBe('01' + 'da0300ff');
  });

  it('encodes the special value NaN of a failed reading', () => {
    expect(toHex(encodeTemperatureMeasurement({ unit: 'Cel', temperature: 'NaN' }))).toBe('00' + 'ffff7f00');
  });

  it('encodes the temperature type characteristic 2A1D', () => {
    expect(toHex(encodeTemperatureType('armpit'))).toBe('01');
    expect(toHex(encodeTemperatureType('tympanum'))).toBe('09');
  });
});

describe('PLX Spot-Check Measurement 2A5E', () => {
  it('encodes SpO2 and pulse rate alone', () => {
    expect(toHex(encodePlxSpotCheck({ spo2: 97, pulseRate: 68 }))).toBe('00' + '6100' + '4400');
  });

  it('encodes every optional field in order', () => {
    const bytes = encodePlxSpotCheck({
      spo2: 97,
      pulseRate: 68,
      time: t(2026, 11, 24, 8, 0, 0),
      measurementStatus: ['validatedData'],
      deviceSensorStatus: ['lowPerfusionDetected'],
      pulseAmplitudeIndex: 2.5,
      deviceClockNotSet: true,
    });
    expect(toHex(bytes)).toBe('1f' + '6100' + '4400' + 'ea070b18080000' + '8000' + '200000' + '19f0');
  });
});

describe('PLX Continuous Measurement 2A5F', () => {
  it('encodes normal and fast SpO2PR with the pulse amplitude index', () => {
    const bytes = encodePlxContinuous({
      spo2: 96,
      pulseRate: 72,
      fast: { spo2: 95, pulseRate: 73 },
      pulseAmplitudeIndex: 3.1,
    });
    expect(toHex(bytes)).toBe('11' + '6000' + '4800' + '5f00' + '4900' + '1ff0');
  });

  it('encodes finger-out as NaN values with the sensor status', () => {
    const bytes = encodePlxContinuous({ spo2: 'NaN', pulseRate: 'NaN', deviceSensorStatus: ['sensorDisconnected'] });
    expect(toHex(bytes)).toBe('08' + 'ff07' + 'ff07' + '008000');
  });
});

describe('PLX Features 2A60', () => {
  it('appends the status support fields when their feature bits are set', () => {
    const bytes = encodePlxFeatures({
      measurementStatusSupport: ['validatedData', 'measurementOngoing'],
      deviceSensorStatusSupport: ['sensorDisconnected'],
      pulseAmplitudeIndex: true,
    });
    expect(toHex(bytes)).toBe('4300' + 'a000' + '008000');
  });

  it('is two bytes without status support', () => {
    expect(toHex(encodePlxFeatures({ spotCheckTimeStamp: true }))).toBe('0800');
  });
});

describe('Weight Measurement 2A9D', () => {
  it('encodes kilograms in 0.005 kg steps with time, user, BMI and height', () => {
    const bytes = encodeWeightMeasurement({
      unit: 'kg',
      weight: 70.2,
      time: t(2026, 11, 24, 7, 0, 5),
      userId: 1,
      bmi: 22.9,
      height: 1.75,
    });
    expect(toHex(bytes)).toBe('0e' + 'd836' + 'ea070b18070005' + '01' + 'e500' + 'd606');
  });

  it('encodes pounds in 0.01 lb steps', () => {
    expect(toHex(encodeWeightMeasurement({ unit: 'lb', weight: 154.8 }))).toBe('01' + '783c');
  });

  it('encodes an unsuccessful measurement as 0xFFFF', () => {
    expect(toHex(encodeWeightMeasurement({ unit: 'kg', weight: null }))).toBe('00' + 'ffff');
  });
});

describe('Weight Scale Feature 2A9E', () => {
  it('packs resolutions into bits 3-6 and 7-9', () => {
    const bytes = encodeWeightScaleFeature({ timeStamp: true, bmi: true, weightResolution: 4, heightResolution: 3 });
    expect(toHex(bytes)).toBe('a5010000');
  });
});

describe('Glucose Measurement 2A18', () => {
  it('encodes a kg/L concentration as mg/dL mantissa with exponent -5', () => {
    const bytes = encodeGlucoseMeasurement({
      sequenceNumber: 5,
      baseTime: t(2026, 11, 24, 7, 15, 0),
      concentration: { unit: 'kg/L', value: 0.00123, exponent: -5, type: 'capillaryPlasma', location: 'finger' },
      contextFollows: true,
    });
    expect(toHex(bytes)).toBe('12' + '0500' + 'ea070b18070f00' + '7bb0' + '12');
  });

  it('encodes mol/L with time offset and sensor status annunciation', () => {
    const bytes = encodeGlucoseMeasurement({
      sequenceNumber: 0x0102,
      baseTime: t(2026, 11, 24, 23, 59, 59),
      timeOffsetMinutes: -60,
      concentration: { unit: 'mol/L', value: 0.0056, type: 'capillaryPlasma', location: 'finger' },
      sensorStatus: ['batteryLow', 'timeFault'],
    });
    expect(toHex(bytes)).toBe('0f' + '0201' + 'ea070b18173b3b' + 'c4ff' + '38c0' + '12' + '0108');
  });

  it('leaves out the concentration when the flag is clear', () => {
    const bytes = encodeGlucoseMeasurement({ sequenceNumber: 1, baseTime: t(2000, 1, 1, 0, 0, 0) });
    expect(toHex(bytes)).toBe('00' + '0100' + 'd0070101000000');
  });
});

describe('Glucose Measurement Context 2A34', () => {
  it('encodes every optional field in order', () => {
    const bytes = encodeGlucoseContext({
      sequenceNumber: 5,
      carbohydrate: { id: 'breakfast', kg: 0.05 },
      meal: 'postprandial',
      testerHealth: { tester: 'self', health: 'noIssues' },
      exercise: { durationSeconds: 1800, intensityPercent: 50 },
      medication: { id: 'rapidActingInsulin', unit: 'L', value: 0.00001 },
      hba1cPercent: 6.5,
    });
    expect(toHex(bytes)).toBe('7f' + '0500' + '01' + '05e0' + '02' + '51' + '0807' + '32' + '01' + '01b0' + '41f0');
  });

  it('encodes a meal alone', () => {
    expect(toHex(encodeGlucoseContext({ sequenceNumber: 5, meal: 'fasting' }))).toBe('02' + '0500' + '03');
  });
});

describe('Glucose Feature 2A51', () => {
  it('sets one bit per feature', () => {
    expect(toHex(encodeGlucoseFeature(['lowBatteryDetection', 'sensorMalfunctionDetection', 'timeFault']))).toBe(
      '0302',
    );
  });
});

describe('Record Access Control Point 2A52', () => {
  it('encodes a response code indication', () => {
    expect(
      toHex(encodeRacpResponseCode(RACP_OP_CODES.report_stored_records, RACP_RESPONSE_CODES.no_records_found)),
    ).toBe('06000106');
  });

  it('encodes the number of stored records', () => {
    expect(toHex(encodeRacpNumberOfRecords(300))).toBe('05002c01');
  });

  it('splits a request into opcode, operator and operand', () => {
    const req = parseRacpRequest(fromHex('0103010a00'));
    expect(req && { opcode: req.opcode, operator: req.operator, operand: toHex(req.operand) }).toStrictEqual({
      opcode: 1,
      operator: 3,
      operand: '010a00',
    });
    expect(parseRacpRequest(fromHex('01'))).toBeNull();
  });
});

describe('time characteristics', () => {
  it('encodes Date Time 2A08', () => {
    expect(toHex(encodeDateTime(t(2000, 1, 1, 0, 0, 0)))).toBe('d00701' + '01000000');
  });

  it('encodes Current Time 2A2B with the day of week and adjust reason', () => {
    const bytes = encodeCurrentTime({
      time: t(2026, 11, 24, 8, 0, 0),
      adjustReason: { manualTimeUpdate: true, externalReferenceTimeUpdate: true },
    });
    expect(toHex(bytes)).toBe('ea070b18080000' + '02' + '00' + '03');
  });

  it('reads back a written Date Time and refuses impossible dates', () => {
    expect(parseWrittenDateTime(fromHex('ea070b18080000020003'))).toStrictEqual(t(2026, 11, 24, 8, 0, 0));
    expect(parseWrittenDateTime(fromHex('ea070d18080000'))).toBeNull();
    expect(parseWrittenDateTime(fromHex('ea07'))).toBeNull();
  });
});

describe('Battery and Device Information', () => {
  it('encodes the battery level as one byte', () => {
    expect(toHex(encodeBatteryLevel(85))).toBe('55');
    expect(() => encodeBatteryLevel(101)).toThrow(RangeError);
  });

  it('encodes strings as UTF-8 without terminator', () => {
    expect(toHex(encodeUtf8String('UA-651BLE'))).toBe('55412d363531424c45');
  });

  it('encodes the System ID little-endian', () => {
    expect(toHex(encodeSystemId(0x0102030405n, 0x00a0b1))).toBe('0504030201b1a000');
  });
});
