/**
 * Issue 15: photos of posts. The type is what the bytes say, not the header; anything but a
 * JPEG, PNG or WebP is refused; the stored image has no EXIF (so no GPS position) left; a
 * thumbnail is made; both are read only through the post's access rule.
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test-support/app.ts';
import { addColleague, type Colleague, joinCareTeam } from '../../../test-support/colleagues.ts';

describe('photos of timeline posts', () => {
  let t: TestApp;
  let patientId: string;
  let nurse: Colleague;
  let postId: string;

  const upload = (payload: Buffer, contentType: string, token = nurse.token, id = postId) =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/timeline/${id}/photos`,
      headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
      payload,
    });
  const download = (url: string, token = nurse.token) =>
    t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    t = await buildTestApp();
    patientId = (await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName: '写真 花子' })).body.id;
    nurse = await addColleague(t, { email: 'photo-nurse@station.test', profession: 'nurse' });
    await joinCareTeam(t, patientId, nurse.id, 'member', 'nurse');
    postId = (
      await t.api<{ id: string }>(
        'POST',
        `/api/v1/patients/${patientId}/posts`,
        { body: '仙骨部の褥瘡、発赤 3cm', tags: ['pressure_ulcer'], sensitivity: 'clinical' },
        nurse.token,
      )
    ).body.id;
  });
  afterAll(async () => t?.close());

  it('strips the EXIF location of a JPEG, keeps its pixels and makes a thumbnail', async () => {
    const withGps = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#d88' } })
      .jpeg()
      .withExif({
        IFD0: { Make: 'PhoneMaker', Model: 'Camera 1' },
        IFD3: {
          GPSLatitudeRef: 'N',
          GPSLatitude: '35/1 41/1 0/1',
          GPSLongitudeRef: 'E',
          GPSLongitude: '139/1 46/1 0/1',
        },
      })
      .toBuffer();
    expect((await sharp(withGps).metadata()).exif?.toString('latin1')).toContain('PhoneMaker');
    const r = await upload(withGps, 'image/jpeg');
    expect(r.statusCode).toBe(201);
    const photo = JSON.parse(r.body) as { url: string; contentType: string; width: number; height: number };
    expect(photo).toMatchObject({ contentType: 'image/jpeg', width: 640, height: 480 });
    const full = await download(photo.url);
    expect(full.statusCode).toBe(200);
    expect(full.headers['content-type']).toBe('image/jpeg');
    expect(full.headers['cache-control']).toContain('no-store');
    const meta = await sharp(full.rawPayload).metadata();
    expect(meta.exif).toBeUndefined();
    expect(full.rawPayload.includes(Buffer.from('PhoneMaker'))).toBe(false);
    const thumb = await download(`${photo.url}?size=thumbnail`);
    expect(thumb.headers['content-type']).toBe('image/webp');
    expect(await sharp(thumb.rawPayload).metadata()).toMatchObject({ format: 'webp', width: 320, height: 240 });
    const item = await t.api<{ photos: { id: string }[] }>('GET', `/api/v1/timeline/${postId}`, undefined, nurse.token);
    expect(item.body.photos).toHaveLength(1);
  });

  it('takes the type from the bytes: a PNG sent as JPEG is stored as PNG', async () => {
    const png = await sharp({ create: { width: 16, height: 16, channels: 4, background: '#fff0' } })
      .png()
      .toBuffer();
    const r = await upload(png, 'image/jpeg');
    expect(r.statusCode).toBe(201);
    expect(JSON.parse(r.body).contentType).toBe('image/png');
  });

  it('refuses what is not an image, a broken image, and an image above the size limit', async () => {
    const pdf = await upload(Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\n'), 'image/jpeg');
    expect(pdf.statusCode).toBe(415);
    expect(JSON.parse(pdf.body).error.message).toContain('not a JPEG, PNG or WebP');
    const broken = await upload(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0, 1, 2, 3]), 'image/jpeg');
    expect(broken.statusCode).toBe(415);
    const json = await t.api('POST', `/api/v1/timeline/${postId}/photos`, { image: 'x' }, nurse.token);
    expect(json.status).toBe(415);
    const huge = await upload(
      Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(9 * 1024 * 1024)]),
      'image/jpeg',
    );
    expect(huge.statusCode).toBe(413);
  });

  it('lets only the author add photos, and shows none of a withdrawn post', async () => {
    const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#000' } })
      .png()
      .toBuffer();
    expect((await upload(png, 'image/png', t.token)).statusCode).toBe(403);
    const other = (
      await t.api<{ id: string }>('POST', `/api/v1/patients/${patientId}/posts`, { body: 'tray' }, nurse.token)
    ).body.id;
    const r = await upload(png, 'image/png', nurse.token, other);
    const url = JSON.parse(r.body).url as string;
    expect((await download(url, t.token)).statusCode).toBe(200);
    await t.api('POST', `/api/v1/timeline/${other}/withdraw`, { reason: '別の患者の写真' }, nurse.token);
    expect((await download(url, t.token)).statusCode).toBe(404);
    const read = await t.sql.query("SELECT 1 FROM audit_log WHERE action = 'timeline.photo.read' AND patient_id = $1", [
      patientId,
    ]);
    expect(read.rowCount).toBeGreaterThan(0);
  });
});
