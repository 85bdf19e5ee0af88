export * from './flags.ts';
export * from './metrics.ts';
export * from './racp.ts';
export * from './topics.ts';
export * from './types.ts';
export * from './units.ts';
export * from './validate.ts';
export * from './zoned-time.ts';
