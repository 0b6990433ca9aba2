// Draws the app icon (a speech bubble with a bridge arch on a teal tile) at every size the
// installers and the tray need, into build/. Run: `tsx scripts/make-icons.ts` (outputs are
// committed). Shapes are signed-distance functions sampled 4×4 per pixel for smooth edges;
// the PNG is encoded with node:zlib, so no image library is needed.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

type Rgba = [number, number, number, number];

/** Encode 8-bit RGBA pixels as a PNG file. */
export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  if (rgba.length !== width * height * 4) throw new RangeError(`expected ${width * height * 4} bytes of RGBA, got ${rgba.length}`);
  const chunk = (type: string, data: Buffer): Buffer => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'ascii');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit, RGBA, deflate, no filter, no interlace
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    raw.set(rgba.subarray(y * width * 4, (y + 1) * width * 4), y * (width * 4 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// --- shapes in unit coordinates (0..1, y down); negative distance = inside ---
const roundedBox = (x: number, y: number, cx: number, cy: number, half: number, r: number): number => {
  const qx = Math.abs(x - cx) - half + r;
  const qy = Math.abs(y - cy) - half + r;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
};
const circle = (x: number, y: number, cx: number, cy: number, r: number): number => Math.hypot(x - cx, y - cy) - r;
function triangle(x: number, y: number, p: Array<[number, number]>): number {
  // Inside when on the same side of all three edges (sign only; edges are short, so no AA needed beyond sampling).
  let sign = 0;
  for (let i = 0; i < 3; i++) {
    const [ax, ay] = p[i]!;
    const [bx, by] = p[(i + 1) % 3]!;
    const cross = (bx - ax) * (y - ay) - (by - ay) * (x - ax);
    if (cross !== 0) {
      if (sign === 0) sign = Math.sign(cross);
      else if (Math.sign(cross) !== sign) return 1;
    }
  }
  return -1;
}
const rect = (x: number, y: number, x0: number, y0: number, x1: number, y1: number): number => (x >= x0 && x <= x1 && y >= y0 && y <= y1 ? -1 : 1);

const bubble = (x: number, y: number): boolean =>
  circle(x, y, 0.5, 0.47, 0.3) < 0 || triangle(x, y, [[0.27, 0.62], [0.2, 0.84], [0.45, 0.74]]) < 0;

/** The bridge drawn inside the bubble: an arch, a deck and two piers. */
function bridgeMark(x: number, y: number, stroke: number): boolean {
  const deck = rect(x, y, 0.31, 0.55 - stroke, 0.69, 0.55 + stroke) < 0;
  const arch = Math.abs(circle(x, y, 0.5, 0.66, 0.19)) < stroke && y < 0.6;
  const piers = rect(x, y, 0.355 - stroke, 0.5, 0.355 + stroke, 0.62) < 0 || rect(x, y, 0.645 - stroke, 0.5, 0.645 + stroke, 0.62) < 0;
  return deck || arch || piers;
}

function appIconColor(x: number, y: number): Rgba | null {
  if (roundedBox(x, y, 0.5, 0.5, 0.46, 0.2) > 0) return null;
  if (bubble(x, y)) return bridgeMark(x, y, 0.028) ? [14, 124, 107, 255] : [255, 255, 255, 255];
  const t = y; // top-to-bottom gradient
  return [Math.round(18 - 4 * t), Math.round(163 - 39 * t), Math.round(135 - 28 * t), 255];
}

/** macOS template image: black where drawn, the OS tints it for light and dark menu bars. */
function trayTemplateColor(x: number, y: number): Rgba | null {
  if (!bubble(x, y) || bridgeMark(x, y, 0.045)) return null;
  return [0, 0, 0, 255];
}

/** Render by averaging 4×4 samples per pixel (premultiplied, so edges blend into transparency). */
export function render(size: number, paint: (x: number, y: number) => Rgba | null): Uint8Array {
  const out = new Uint8Array(size * size * 4);
  const n = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const c = paint((px + (sx + 0.5) / n) / size, (py + (sy + 0.5) / n) / size);
          if (!c) continue;
          const alpha = c[3] / 255;
          r += c[0] * alpha;
          g += c[1] * alpha;
          b += c[2] * alpha;
          a += alpha;
        }
      }
      const i = (py * size + px) * 4;
      if (a > 0) {
        out[i] = Math.round(r / a);
        out[i + 1] = Math.round(g / a);
        out[i + 2] = Math.round(b / a);
      }
      out[i + 3] = Math.round((a / (n * n)) * 255);
    }
  }
  return out;
}

export function makeIcons(buildDir: string): string[] {
  const written: string[] = [];
  const write = (rel: string, size: number, paint: (x: number, y: number) => Rgba | null): void => {
    const file = path.join(buildDir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, encodePng(size, size, render(size, paint)));
    written.push(rel);
  };
  write('icon.png', 1024, appIconColor); // electron-builder derives .ico and .icns from it
  for (const size of [16, 32, 48, 64, 128, 256, 512]) write(path.join('icons', `${size}x${size}.png`), size, appIconColor);
  write(path.join('tray', 'tray.png'), 16, appIconColor);
  write(path.join('tray', 'tray@2x.png'), 32, appIconColor);
  write(path.join('tray', 'trayTemplate.png'), 16, trayTemplateColor);
  write(path.join('tray', 'trayTemplate@2x.png'), 32, trayTemplateColor);
  return written;
}

if (process.argv[1] && path.resolve(process.argv[1]).replace(/\.ts$/, '') === path.resolve(import.meta.filename ?? '').replace(/\.ts$/, '')) {
  const dir = path.resolve(process.argv[2] ?? 'build');
  for (const file of makeIcons(dir)) console.log(`make-icons: ${path.join(dir, file)}`);
}
