/** A table a case reports: printed as markdown, stored as is in the results file. */
export interface Table {
  title: string;
  columns: { header: string; /** Right-aligned (numbers) unless "left". */ align?: "left" | "right" }[];
  rows: string[][];
}

export function markdownTable(table: Table): string {
  const cells = (row: string[]) => `| ${row.map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |`;
  const rule = `|${table.columns.map((c) => (c.align === "left" ? " --- " : " ---: ")).join("|")}|`;
  return [cells(table.columns.map((c) => c.header)), rule, ...table.rows.map(cells)].join("\n");
}
