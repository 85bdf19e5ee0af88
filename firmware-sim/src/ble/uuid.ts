/** noble spells 16-bit UUIDs lower-case without 0x ("2a35"); the simulator does too. */
export function nobleUuid(uuid: string): string {
  const u = uuid.toLowerCase().replace(/^0x/, '').replace(/-/g, '');
  // 128-bit UUIDs built on the Bluetooth Base UUID carry a 16-bit UUID (Core Vol 3 Part B §2.5.1).
  const m = /^0000([0-9a-f]{4})00001000800000805f9b34fb$/.exec(u);
  return m ? m[1]! : u;
}
