/**
 * The flag vocabulary of the wire contract: every string a decoder may put in a reading's
 * `flags`, with its one-line meaning. Flags qualify a reading; they never replace a value
 * silently. The one rule for IEEE-11073 special values: the reading is still emitted, its
 * `value` (and `source`) is left out, and exactly one `value_*` flag names the special value.
 */
export const FLAGS = {
  // IEEE-11073-20601 special values (SFLOAT/FLOAT); the reading then has no `value`.
  value_nan: 'the device sent NaN (not a number): no value',
  value_nres: 'the device sent NRes (not at this resolution): no value',
  value_pos_inf: 'the device sent +INFINITY (above its range): no value',
  value_neg_inf: 'the device sent -INFINITY (below its range): no value',
  value_reserved: 'the device sent a reserved special value: no value',
  measurement_unsuccessful: 'the device marked the measurement unsuccessful (0xFFFF): no value',

  // What kind of value this is.
  intermediate: 'a value during the measurement (cuff pressure, running temperature), not a final reading',
  fast: 'pulse oximeter fast-responding average (SpO2PR-Fast), not the normal one',
  slow: 'pulse oximeter slow-responding average (SpO2PR-Slow), not the normal one',
  control_solution: 'a glucose control-solution test, not a patient sample',

  // Blood pressure measurement status (GSS Blood Pressure Measurement, Measurement Status).
  body_movement: 'body movement was detected during the measurement',
  cuff_loose: 'the cuff fit was too loose',
  irregular_pulse: 'an irregular pulse was detected',
  pulse_rate_exceeds_upper: 'the pulse rate exceeded the upper limit of the device',
  pulse_rate_below_lower: 'the pulse rate was below the lower limit of the device',
  improper_position: 'the measurement position was improper',

  // Heart rate sensor contact.
  no_sensor_contact: 'the heart rate sensor supports contact detection and reported no skin contact',

  // Pulse oximeter measurement status (PLXS Measurement Status field).
  measurement_ongoing: 'the oximeter was still measuring',
  early_estimate: 'early estimated data',
  validated: 'validated data',
  fully_qualified: 'fully qualified data',
  from_storage: 'data read from the device measurement storage',
  demonstration_data: 'data for demonstration, not from a patient',
  test_data: 'data for testing, not from a patient',
  calibration_ongoing: 'the device was calibrating',
  measurement_unavailable: 'the device reported the measurement unavailable',
  questionable_measurement: 'the device detected a questionable measurement',
  invalid_measurement: 'the device detected an invalid measurement',

  // Pulse oximeter device and sensor status (PLXS Device and Sensor Status field).
  extended_display_update: 'extended display update ongoing',
  equipment_malfunction: 'equipment malfunction detected',
  signal_processing_irregularity: 'signal processing irregularity detected',
  inadequate_signal: 'inadequate signal detected',
  poor_signal: 'poor signal detected',
  low_perfusion: 'low perfusion detected',
  erratic_signal: 'erratic signal detected',
  nonpulsatile_signal: 'nonpulsatile signal detected',
  questionable_pulse: 'questionable pulse detected',
  signal_analysis_ongoing: 'signal analysis ongoing',
  sensor_interference: 'sensor interference detected',
  sensor_unconnected: 'the sensor was not connected to the user',
  unknown_sensor: 'an unknown sensor was connected',
  sensor_displaced: 'the sensor was displaced',
  sensor_malfunction: 'the sensor was malfunctioning or faulty',
  sensor_disconnected: 'the sensor was disconnected',

  // Glucose sensor status annunciation (GLS Glucose Measurement, Sensor Status Annunciation).
  battery_low: 'the device battery was low at the time of measurement',
  sample_size_insufficient: 'the blood or control solution sample was too small',
  strip_insertion_error: 'strip insertion error',
  strip_type_incorrect: 'the strip type is not right for the device',
  result_above_range: 'the result was higher than the device can process',
  result_below_range: 'the result was lower than the device can process',
  sensor_temperature_high: 'the sensor temperature was too high for a valid result',
  sensor_temperature_low: 'the sensor temperature was too low for a valid result',
  read_interrupted: 'the read was interrupted because the strip was pulled too soon',
  device_fault: 'general device fault',
  time_fault: 'a time fault occurred in the sensor: the time may be inaccurate',

  // Serial oximeters (Nonin format #2 status byte) and glucose meters (OneTouch comments).
  marginal_perfusion: 'marginal perfusion (Nonin MPRF): the value is less reliable',
  artifact: 'an artifact was detected in the pulse signal',
  out_of_track: 'the oximeter lost track of the pulse signal (Nonin OOT)',
  before_meal: 'the patient marked the glucose test as taken before a meal',
  after_meal: 'the patient marked the glucose test as taken after a meal',

  // Set by the gateway, not the device.
  continuous:
    'a reading of a continuous monitor (PLX Continuous, a serial oximeter stream, a heart-rate strap); without it a spot check',
  device_clock_invalid: "the device's time stamp was judged wrong; the gateway's time is used",
  gateway_clock_unsynchronised: "the gateway's clock was not yet synchronised when it stamped the reading",
  gateway_time_corrected: "stamped while the gateway's clock was unsynchronised, re-stamped once it synchronised",
  device_clock_corrected: "the device's clock ran a few minutes ahead; the time was corrected by that amount",
} as const satisfies Record<string, string>;

export type Flag = keyof typeof FLAGS;

export const FLAG_NAMES = Object.keys(FLAGS) as Flag[];

export function isFlag(name: unknown): name is Flag {
  return typeof name === 'string' && Object.hasOwn(FLAGS, name);
}
