/** Device-local time in the gateway's zone: the contract's zoned-time helpers. */
export {
  isRealWallTime,
  isValidTimeZone,
  type WallTime,
  wallTimeToUtc,
  zoneOffsetMs,
} from '@vitals/contract';
