// Canvas sizing: every canvas is drawn at its CSS box × devicePixelRatio; and the one ImageData blit
// that turns an RGBA buffer from the worker into a drawable canvas.

export const dpr = () => window.devicePixelRatio || 1;

/** Sizes `canvas` to its CSS box at the device's resolution; returns [cssWidth, cssHeight, ratio]. */
export function fit(canvas) {
  const r = dpr();
  const w = Math.max(1, canvas.clientWidth);
  const h = Math.max(1, canvas.clientHeight);
  const W = Math.round(w * r);
  const H = Math.round(h * r);
  if (canvas.width !== W || canvas.height !== H) {
    canvas.width = W;
    canvas.height = H;
  }
  return [w, h, r];
}

/** Fits `canvas`, clears it to white and returns its context in CSS pixels: [ctx, cssWidth, cssHeight]. */
export function context(canvas) {
  const [w, h, r] = fit(canvas);
  const ctx = canvas.getContext('2d');
  ctx.setTransform(r, 0, 0, r, 0, 0);
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, w, h);
  return [ctx, w, h];
}

/** An RGBA buffer as a canvas of its own size (the one ImageData blit), to be scaled with drawImage. */
export function bitmapOf(rgba, width, height) {
  const c = document.createElement('canvas');
  c.width = width;
  c.height = height;
  c.getContext('2d').putImageData(new ImageData(new Uint8ClampedArray(rgba.buffer, rgba.byteOffset, rgba.byteLength), width, height), 0, 0);
  return c;
}
