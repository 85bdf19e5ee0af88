/** Byte-exact simulated health devices (BLE and serial) and homes. */
export * from './ble/index.ts';
export * from './homes/runner.ts';
export * from './pki.ts';
export * as serial from './serial/index.ts';
