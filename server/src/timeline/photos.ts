/**
 * Photos of posts (issue 15): the type is sniffed from the bytes (JPEG, PNG or WebP, whatever
 * the client calls it), the image is decoded and re-encoded by sharp, which drops every
 * metadata block (EXIF with its GPS position, XMP, IPTC) unless asked to keep it, after
 * turning it upright by its EXIF orientation; the thumbnail is a 320-pixel WebP.
 */
import sharp from 'sharp';

export const MAX_PHOTO_BYTES = 8 * 1024 * 1024;
/** Images larger than this on either side are scaled down (a phone's 48 MP photo is not needed). */
const MAX_SIDE = 2560;
const THUMBNAIL_SIDE = 320;

export type PhotoType = 'image/jpeg' | 'image/png' | 'image/webp';

/** The image type by its magic bytes, or undefined for anything else. */
export function sniffImage(b: Buffer): PhotoType | undefined {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return 'image/png';
  if (b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP')
    return 'image/webp';
  return undefined;
}

export interface CleanPhoto {
  contentType: PhotoType;
  image: Buffer;
  thumbnail: Buffer;
  width: number;
  height: number;
}

export class PhotoRefused extends Error {}

/** The photo without metadata, and its thumbnail; PhotoRefused when it is not an image we take. */
export async function cleanPhoto(input: Buffer): Promise<CleanPhoto> {
  const type = sniffImage(input);
  if (!type) throw new PhotoRefused('the upload is not a JPEG, PNG or WebP image');
  try {
    const base = sharp(input, { failOn: 'error', limitInputPixels: 100_000_000 })
      .rotate()
      .resize({ width: MAX_SIDE, height: MAX_SIDE, fit: 'inside', withoutEnlargement: true });
    const encoded =
      type === 'image/jpeg'
        ? base.jpeg({ quality: 85, mozjpeg: true })
        : type === 'image/png'
          ? base.png()
          : base.webp({ quality: 85 });
    const { data, info } = await encoded.toBuffer({ resolveWithObject: true });
    const thumbnail = await sharp(data)
      .resize({ width: THUMBNAIL_SIDE, height: THUMBNAIL_SIDE, fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 75 })
      .toBuffer();
    return { contentType: type, image: data, thumbnail, width: info.width, height: info.height };
  } catch (e) {
    throw new PhotoRefused(`the image could not be read: ${(e as Error).message}`);
  }
}
