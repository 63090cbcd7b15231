/** Number formats for the tables: figures a reader compares at a glance, not raw floats. */

const grouped = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

export const int = (v: number | undefined) => (v === undefined ? "–" : grouped.format(v));

/** Two significant digits below 10, whole numbers above: 0.42, 3.1, 17, 230. */
export function ms(v: number | undefined): string {
  if (v === undefined) return "–";
  return v < 10 ? v.toPrecision(2) : v.toFixed(0);
}

export const percent = (v: number | undefined) => (v === undefined ? "–" : `${v.toFixed(0)}%`);

export const ratio = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? "–" : v < 0.1 ? v.toFixed(3) : v.toFixed(2));

export const megabytes = (bytes: number | undefined) => (bytes === undefined ? "–" : (bytes / 1e6).toFixed(bytes < 1e7 ? 2 : 1));
