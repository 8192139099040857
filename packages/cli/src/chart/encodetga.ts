// Uncompressed truecolor TGA (Truevision TGA 2.0, image type 2) from RGBA pixels: the 18-byte header,
// the pixels top row first as 24-bit BGR on white, and the TGA 2.0 footer.

/** Bytes of the TGA header. */
export const TGA_HEADER_BYTES = 18;
const FOOTER = Buffer.concat([Buffer.alloc(8), Buffer.from('TRUEVISION-XFILE.\0', 'latin1')]);

/**
 * `rgba` holds `width` × `height` pixels, 4 bytes each, premultiplied by alpha (as resvg renders
 * them); each is composited over white, so a transparent pixel comes out white.
 */
export function encodeTga(rgba: Uint8Array, width: number, height: number): Buffer {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > 65535 || height > 65535) {
    throw new RangeError(`a TGA image is 1 to 65535 pixels each way, not ${width}×${height}`);
  }
  if (rgba.length !== width * height * 4) throw new RangeError(`${width}×${height} RGBA pixels are ${width * height * 4} bytes, not ${rgba.length}`);
  const header = Buffer.alloc(TGA_HEADER_BYTES);
  header[2] = 2; // uncompressed truecolor
  header.writeUInt16LE(width, 12);
  header.writeUInt16LE(height, 14);
  header[16] = 24; // bits per pixel
  header[17] = 0x20; // no alpha bits; origin at the top left
  const body = Buffer.alloc(width * height * 3);
  for (let i = 0, o = 0; i < rgba.length; i += 4, o += 3) {
    const white = 255 - rgba[i + 3]!;
    body[o] = rgba[i + 2]! + white;
    body[o + 1] = rgba[i + 1]! + white;
    body[o + 2] = rgba[i]! + white;
  }
  return Buffer.concat([header, body, FOOTER]);
}
