export * from './by-id-directory.ts';
export * from './cms50d.ts';
export * from './corruption.ts';
export * from './devices.ts';
export * from './nonin.ts';
export * from './onetouch-ultra2-meter.ts';
export * from './pty.ts';
