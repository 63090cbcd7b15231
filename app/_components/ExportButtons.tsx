"use client";

import { boardToPng, boardToSvg, download } from "@/lib/client/canvas/export";
import type { StrokeInput } from "@/lib/protocol";

/**
 * PNG (twice the page's size) and SVG downloads of `strokes()`, named `<name>.png` / `.svg`.
 * `testIdPrefix` tells the toolbar's pair from the history's.
 */
export function ExportButtons({ strokes, name, className, testIdPrefix = "" }: { strokes: () => readonly StrokeInput[]; name: string; className: string; testIdPrefix?: string }) {
  return (
    <>
      <button className={className} data-testid={`${testIdPrefix}export-png`} onClick={async () => download(await boardToPng(strokes(), 2), `${name}.png`)}>
        PNG
      </button>
      <button
        className={className}
        data-testid={`${testIdPrefix}export-svg`}
        onClick={() => download(new Blob([boardToSvg(strokes())], { type: "image/svg+xml" }), `${name}.svg`)}
      >
        SVG
      </button>
    </>
  );
}
