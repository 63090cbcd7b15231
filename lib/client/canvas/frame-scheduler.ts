/**
 * Animation frames on demand: `draw` runs in the next frame after `request()`, once however
 * often it was asked, and again in the frame after whenever it answers true (work left, such as
 * a big board drawn over several frames or a cursor still gliding). A board nobody touches asks
 * for no frames at all, so an idle tab costs no CPU (an always-running loop cost about a tenth of
 * a core per tab).
 */
export function frameScheduler(draw: (now: number) => boolean): { request(): void; stop(): void } {
  let frame = 0;
  let stopped = false;
  const run = (now: number) => {
    frame = 0;
    if (draw(now)) request();
  };
  const request = () => {
    if (!stopped && frame === 0) frame = requestAnimationFrame(run);
  };
  return {
    request,
    stop() {
      stopped = true;
      cancelAnimationFrame(frame);
    },
  };
}
