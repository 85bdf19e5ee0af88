/**
 * Photos of posts (issue 15): uploaded as the raw image body, checked and cleaned by
 * timeline/photos.ts (type sniffed from the bytes, metadata with any GPS position dropped,
 * thumbnail made), kept in the database, and read back only through the post's access rule
 * (the access core checks the item's patient and sensitivity; there is no public URL).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { checkedGrant, clearanceOf } from '../../access/plugin.ts';
import { AppError, badRequest, forbidden, notFound } from '../../errors.ts';
import { audit } from '../../storage/repos/audit.ts';
import { findTimelineItem } from '../../storage/repos/timeline.ts';
import { countPhotos, insertPhoto, photoBytes } from '../../storage/repos/timeline-photos.ts';
import { cleanPhoto, MAX_PHOTO_BYTES, PhotoRefused } from '../../timeline/photos.ts';
import { requireUser } from '../auth/session.ts';
import { isUuid } from '../ids.ts';
import * as schema from './schemas.ts';

const MAX_PHOTOS_PER_POST = 6;
/** What a client may call the upload; the bytes decide what it is. */
const UPLOAD_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'application/octet-stream'];

export const photoRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { sql } = app;
  app.addContentTypeParser(UPLOAD_TYPES, { parseAs: 'buffer', bodyLimit: MAX_PHOTO_BYTES }, (_req, body, done) =>
    done(null, body),
  );

  app.post(
    '/api/v1/timeline/:itemId/photos',
    {
      schema: schema.uploadPhoto,
      bodyLimit: MAX_PHOTO_BYTES,
      config: { access: { item: 'timeline-item', id: 'params.itemId', need: 'write' } },
    },
    async (req, reply) => {
      const u = requireUser(req);
      const g = checkedGrant(req);
      const itemId = req.params.itemId.toLowerCase();
      const item = await findTimelineItem(sql, itemId, u.id, clearanceOf(g));
      if (!item) throw notFound('timeline item');
      if (item.kind !== 'post' || item.author_id !== u.id)
        throw forbidden('only the author of a post adds photos to it');
      if (item.withdrawn_at) throw new AppError('conflict', 'this post was withdrawn');
      if (!Buffer.isBuffer(req.body) || req.body.length === 0)
        throw new AppError(
          'unsupported_media_type',
          'send the image itself as the body, with Content-Type image/jpeg, image/png, image/webp or application/octet-stream',
        );
      if ((await countPhotos(sql, itemId)) >= MAX_PHOTOS_PER_POST)
        throw badRequest(`a post has at most ${MAX_PHOTOS_PER_POST} photos; write another post for more`);
      let clean: Awaited<ReturnType<typeof cleanPhoto>>;
      try {
        clean = await cleanPhoto(req.body);
      } catch (e) {
        if (e instanceof PhotoRefused)
          throw new AppError('unsupported_media_type', `${e.message}; send a JPEG, PNG or WebP photo`);
        throw e;
      }
      const id = randomUUID();
      await sql.transaction(async (tx) => {
        await insertPhoto(tx, {
          id,
          item_id: itemId,
          content_type: clean.contentType,
          width: clean.width,
          height: clean.height,
          image: clean.image,
          thumbnail: clean.thumbnail,
          uploadedBy: u.id,
        });
        await audit(tx, {
          userId: u.id,
          patientId: g.patientId,
          action: 'timeline.photo.add',
          target: id,
          detail: { itemId, contentType: clean.contentType, bytes: clean.image.length },
          ip: req.ip,
        });
      });
      return reply.code(201).send({
        id,
        contentType: clean.contentType,
        width: clean.width,
        height: clean.height,
        url: `/api/v1/timeline/${itemId}/photos/${id}`,
      });
    },
  );

  app.get(
    '/api/v1/timeline/:itemId/photos/:photoId',
    {
      schema: schema.downloadPhoto,
      config: {
        access: {
          item: 'timeline-item',
          id: 'params.itemId',
          need: 'read',
          audit: { action: 'timeline.photo.read', target: 'params.photoId' },
        },
      },
    },
    async (req, reply) => {
      const u = requireUser(req);
      const itemId = req.params.itemId.toLowerCase();
      const item = await findTimelineItem(sql, itemId, u.id, clearanceOf(checkedGrant(req)));
      if (!item || item.withdrawn_at || !isUuid(req.params.photoId)) throw notFound('photo');
      const photo = await photoBytes(sql, itemId, req.params.photoId.toLowerCase(), req.query.size ?? 'full');
      if (!photo) throw notFound('photo');
      return reply.type(photo.content_type).header('content-disposition', 'inline').send(photo.bytes);
    },
  );
};
