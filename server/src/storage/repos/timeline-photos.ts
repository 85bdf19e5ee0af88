/** Photos of timeline posts, in the database (bytea) under the post's access rule (issue 15). */
import type { Sql } from '../sql.ts';

export interface PhotoMeta {
  id: string;
  item_id: string;
  content_type: 'image/jpeg' | 'image/png' | 'image/webp';
  width: number;
  height: number;
}

export async function insertPhoto(
  sql: Sql,
  p: PhotoMeta & { image: Buffer; thumbnail: Buffer; uploadedBy: string },
): Promise<void> {
  await sql.query(
    `INSERT INTO timeline_photos (id, item_id, content_type, width, height, image, thumbnail, uploaded_by)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`,
    [p.id, p.item_id, p.content_type, p.width, p.height, p.image, p.thumbnail, p.uploadedBy],
  );
}

export async function countPhotos(sql: Sql, itemId: string): Promise<number> {
  const r = await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM timeline_photos WHERE item_id = $1', [
    itemId,
  ]);
  return r.rows[0]?.n ?? 0;
}

/** A photo's bytes (the image or its thumbnail) when it belongs to the item. */
export async function photoBytes(
  sql: Sql,
  itemId: string,
  photoId: string,
  size: 'full' | 'thumbnail',
): Promise<{ content_type: string; bytes: Buffer } | undefined> {
  const r = await sql.query<{ content_type: string; bytes: Buffer | Uint8Array }>(
    `SELECT ${size === 'thumbnail' ? "'image/webp'" : 'content_type'} AS content_type,
            ${size === 'thumbnail' ? 'thumbnail' : 'image'} AS bytes
       FROM timeline_photos WHERE id = $1 AND item_id = $2`,
    [photoId, itemId],
  );
  const row = r.rows[0];
  return row && { content_type: row.content_type, bytes: Buffer.from(row.bytes) };
}
