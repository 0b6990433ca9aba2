// QR images of a login ref: a PNG data URL (API.md `qr`, `qrCode`) and an SVG (`qrCodeSvg`).
import QRCode from 'qrcode';

export interface QrImage {
  raw: string;
  png: string;
  svg: string;
  /** Unix seconds. */
  expiresAt: number;
}

/** WhatsApp rotates the login ref about every 20 seconds. */
export const QR_LIFETIME_SECONDS = 20;

export async function renderQr(raw: string, nowMs = Date.now()): Promise<QrImage> {
  const [png, svg] = await Promise.all([
    QRCode.toDataURL(raw, { errorCorrectionLevel: 'L', margin: 2, width: 320 }),
    QRCode.toString(raw, { type: 'svg', errorCorrectionLevel: 'L', margin: 2 }),
  ]);
  return { raw, png, svg, expiresAt: Math.floor(nowMs / 1000) + QR_LIFETIME_SECONDS };
}
