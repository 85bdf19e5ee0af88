/**
 * Writes dashboard/src/client/api-types.ts from the OpenAPI document of the server as it is
 * built now (in-process, in-memory database, nothing listening): `pnpm -s api-types`.
 */
import { writeFileSync } from 'node:fs';
import { API_TYPES_FILE, renderApiTypes } from '../dashboard/src/api-types-gen.ts';
import { buildTestApp } from '../server/test-support/app.ts';

const t = await buildTestApp();
try {
  const r = await t.app.inject('/api/docs/json');
  if (r.statusCode !== 200) throw new Error(`GET /api/docs/json answered ${r.statusCode}`);
  writeFileSync(API_TYPES_FILE, await renderApiTypes(r.json()));
  console.log(`wrote ${API_TYPES_FILE}`);
} finally {
  await t.close();
}
