/**
 * BLE health profiles as data: what the gateway does with each standard service. The BLE
 * transport reads this table; adding a profile needs no transport code unless it brings a new
 * record-transfer procedure.
 *
 * UUIDs are 16-bit, upper-case hex without 0x, as in BleFrame.characteristic.
 */

/** How a profile's stored measurements reach the gateway. */
export type RecordTransfer =
  /** Nothing stored: the device sends what it measures while connected. */
  | 'none'
  /** Stored measurements arrive as indications as soon as the gateway subscribes (BLS, HTS, WSS). */
  | 'indications'
  /** Stored records are requested through the Record Access Control Point 2A52 (GLS). */
  | 'racp';

export interface MeasurementCharacteristic {
  characteristic: string;
  /** What the gateway enables in the CCCD; the transport uses what the device offers. */
  mode: 'indicate' | 'notify';
}

export interface ContextCharacteristic {
  characteristic: string;
  /** Key in BleFrame.context (value as hex), as the decoders expect it. */
  key: string;
}

export interface BleServiceProfile {
  service: string;
  name: string;
  /** Subscribed; every value becomes a BleFrame. */
  measurements: readonly MeasurementCharacteristic[];
  /** Read once per connection and sent with every frame of the device. */
  context: readonly ContextCharacteristic[];
  records: RecordTransfer;
  /**
   * Characteristics that make a device a continuous one: the gateway keeps the link and
   * reconnects with backoff when it drops. Without them the device is let go when done.
   */
  continuousWith: readonly string[];
}

export const BLE_PROFILES = [
  {
    service: '1810',
    name: 'Blood Pressure',
    measurements: [
      { characteristic: '2A35', mode: 'indicate' },
      { characteristic: '2A36', mode: 'notify' },
    ],
    context: [],
    records: 'indications',
    continuousWith: [],
  },
  {
    service: '1809',
    name: 'Health Thermometer',
    measurements: [
      { characteristic: '2A1C', mode: 'indicate' },
      { characteristic: '2A1E', mode: 'notify' },
    ],
    context: [{ characteristic: '2A1D', key: 'temperatureType' }],
    records: 'indications',
    continuousWith: [],
  },
  {
    service: '1822',
    name: 'Pulse Oximeter',
    measurements: [
      { characteristic: '2A5E', mode: 'indicate' },
      { characteristic: '2A5F', mode: 'notify' },
    ],
    context: [{ characteristic: '2A60', key: 'plxFeatures' }],
    records: 'indications',
    continuousWith: ['2A5F'],
  },
  {
    service: '181D',
    name: 'Weight Scale',
    measurements: [{ characteristic: '2A9D', mode: 'indicate' }],
    context: [{ characteristic: '2A9E', key: 'weightScaleFeature' }],
    records: 'indications',
    continuousWith: [],
  },
  {
    service: '181B',
    name: 'Body Composition',
    measurements: [{ characteristic: '2A9C', mode: 'indicate' }],
    context: [{ characteristic: '2A9B', key: 'bodyCompositionFeature' }],
    records: 'indications',
    continuousWith: [],
  },
  {
    service: '1808',
    name: 'Glucose',
    measurements: [
      { characteristic: '2A18', mode: 'notify' },
      { characteristic: '2A34', mode: 'notify' },
    ],
    context: [{ characteristic: '2A51', key: 'glucoseFeature' }],
    records: 'racp',
    continuousWith: [],
  },
  {
    service: '180D',
    name: 'Heart Rate',
    measurements: [{ characteristic: '2A37', mode: 'notify' }],
    context: [],
    records: 'none',
    continuousWith: ['2A37'],
  },
] as const satisfies readonly BleServiceProfile[];

/** Services the gateway scans for. */
export const HEALTH_SERVICES: readonly string[] = BLE_PROFILES.map((p) => p.service);

/** Common services every health device may carry. */
export const DEVICE_INFORMATION = { service: '180A', modelNumber: '2A24', manufacturerName: '2A29' } as const;
export const BATTERY = { service: '180F', level: '2A19' } as const;
export const CURRENT_TIME = { service: '1805', currentTime: '2A2B' } as const;
/** Record Access Control Point (GLS §3.6). */
export const RACP = { characteristic: '2A52' } as const;

export function profileForService(service: string): BleServiceProfile | undefined {
  const s = service.toUpperCase();
  return (BLE_PROFILES as readonly BleServiceProfile[]).find((p) => p.service === s);
}
