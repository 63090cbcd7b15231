import { PAGE, type StrokeInput } from "../../protocol";
import { outlineToSvgPath, strokeOutline } from "./outline";
import { strokePath } from "./paths";
import { PAGE_BACKGROUND } from "./renderer";

/** The board as a standalone SVG document, in board units, with the page's white background. */
export function boardToSvg(strokes: readonly StrokeInput[]): string {
  const paths = strokes
    .map((s) => `<path fill="${s.color}" d="${outlineToSvgPath(strokeOutline(s))}"/>`)
    .join("\n");
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${PAGE.width}" height="${PAGE.height}" viewBox="0 0 ${PAGE.width} ${PAGE.height}">`,
    `<rect width="100%" height="100%" fill="${PAGE_BACKGROUND}"/>`,
    paths,
    "</svg>",
  ].join("\n");
}

/** The board as a PNG at `scale` times the page size. */
export async function boardToPng(strokes: readonly StrokeInput[], scale = 1): Promise<Blob> {
  const canvas = document.createElement("canvas");
  canvas.width = PAGE.width * scale;
  canvas.height = PAGE.height * scale;
  const ctx = canvas.getContext("2d");
  if (!ctx) throw new Error("this browser cannot draw on a canvas");
  ctx.fillStyle = PAGE_BACKGROUND;
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.setTransform(scale, 0, 0, scale, 0, 0);
  for (const s of strokes) {
    ctx.fillStyle = s.color;
    ctx.fill(strokePath(s));
  }
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("the PNG could not be made"))), "image/png"),
  );
}

export function download(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  // The download has started from the click; the URL can go once the event loop moves on.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
