/** Simulated BLE health devices for the real noble (see bindings.ts) and their encoders. */
export * from './bindings.ts';
export * from './devices/bp-monitor.ts';
export * from './devices/glucose-meter.ts';
export * from './devices/pulse-oximeter.ts';
export * from './devices/store-and-forward.ts';
export * from './devices/thermometer.ts';
export * from './devices/weight-scale.ts';
export * from './encoders/index.ts';
export * from './home.ts';
export * from './peripheral.ts';
export * from './random.ts';
export * from './uuid.ts';
export * from './wall-clock.ts';
export * from './world.ts';
