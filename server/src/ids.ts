/**
 * Ids in URL paths are uuids. A route answers a malformed id as it answers an id that does not
 * exist (404), so a path never tells which ids are well-formed but hidden.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (id: string): boolean => UUID.test(id);
