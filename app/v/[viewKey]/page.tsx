import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { keySchema } from "@/lib/protocol";
import { BoardPage } from "../../_components/BoardPage";
import { seedParam } from "../../_components/seed-param";

interface Props {
  params: Promise<{ viewKey: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

// The title never names the board: a view-only link must not tell the board's id.
export const metadata: Metadata = { title: "View-only board", referrer: "no-referrer" };

export default async function Page({ params, searchParams }: Props) {
  const { viewKey } = await params;
  if (!keySchema("view key").safeParse(viewKey).success) notFound();
  const { name, seed } = await searchParams;
  return <BoardPage address={{ view: viewKey }} nameFromUrl={typeof name === "string" ? name : null} seed={seedParam(seed)} />;
}
