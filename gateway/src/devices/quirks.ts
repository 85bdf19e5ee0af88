/**
 * Per-model quirks: what a device model does differently from the Bluetooth specification,
 * as data. Keyed by the Model Number String (2A24) exactly as the device reports it (trimmed).
 * The BLE decoders apply a quirk around their spec path (ble/index.ts `applyQuirks`), so the
 * decoders themselves stay spec-only; without a model (or for an unlisted one) the spec rule
 * applies. Add a model with a fixture test that shows the difference.
 */

export interface ModelQuirks {
  /** What the device does wrong, shown in a note whenever the quirk changes a decode. */
  description: string;
  /** Flag bits the model sets wrongly, cleared before decoding: characteristic (e.g. "2A18") -> mask. */
  clearFlags?: Readonly<Record<string, number>>;
  /**
   * Weight Measurement (2A9D) weight is raw x the Weight Scale Feature's weight resolution, not
   * the specification's fixed 0.005 kg / 0.01 lb (needs context `weightScaleFeature`).
   */
  weightScaleFromFeature?: boolean;
  /** The device clock runs in this IANA zone whatever the gateway's zone (usually 'UTC'). */
  clockZone?: string;
}

/**
 * The model numbers below are illustrations of quirks seen in the field, not statements
 * about a vendor's product: replace them with the real Model Number String of a device
 * once it is captured misbehaving.
 */
export const MODEL_QUIRKS: Readonly<Record<string, ModelQuirks>> = {
  'WS-220B': {
    description: 'scale scales the weight by its Weight Scale Feature resolution instead of 0.005 kg / 0.01 lb',
    weightScaleFromFeature: true,
  },
  'GM-550BT': {
    description: 'glucose meter sets the mol/L units flag but sends kg/L concentrations',
    clearFlags: { '2A18': 0x04 },
  },
  'BP-780U': {
    description: 'blood pressure monitor keeps its clock in UTC, not local time',
    clockZone: 'UTC',
  },
};

export function quirksFor(model: string | undefined): ModelQuirks | undefined {
  if (model === undefined) return undefined;
  const key = model.replace(/\0+$/, '').trim();
  return Object.hasOwn(MODEL_QUIRKS, key) ? MODEL_QUIRKS[key] : undefined;
}
