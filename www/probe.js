// Keyboard read-outs: what hovering a plot tells a mouse user, the arrow keys tell everyone else.

/**
 * Makes `canvas` focusable; its arrow keys move a probe over its plot (Shift: in bigger steps) and call
 * `readout` with a pointer-like event at the probe, as hovering does. `clear` runs on blur.
 */
export function keyboardProbe(canvas, readout, clear) {
  canvas.tabIndex = 0;
  let probe = null;
  const fire = () => {
    const L = canvas.layout;
    if (!L) return;
    const rect = canvas.getBoundingClientRect();
    readout({ clientX: rect.left + L.x + probe[0] * L.width, clientY: rect.top + L.y + probe[1] * L.height });
  };
  canvas.addEventListener('focus', () => {
    probe = [0.5, 0.5];
    fire();
  });
  canvas.addEventListener('blur', clear);
  canvas.addEventListener('keydown', (event) => {
    const step = event.shiftKey ? 0.1 : 0.02;
    const move = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] }[event.key];
    if (!move || !probe) return;
    event.preventDefault();
    probe = [Math.min(1, Math.max(0, probe[0] + move[0])), Math.min(1, Math.max(0, probe[1] + move[1]))];
    fire();
  });
}
