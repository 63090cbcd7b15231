import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { boardIdSchema } from "@/lib/protocol";
import { BoardPage } from "../../_components/BoardPage";
import { seedParam } from "../../_components/seed-param";

interface Props {
  params: Promise<{ boardId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { boardId } = await params;
  // No referrer: an owner link's key is in the fragment (never sent), but a page's links should not tell the board id either.
  return { title: `Board ${boardId}`, referrer: "no-referrer" };
}

export default async function Page({ params, searchParams }: Props) {
  const { boardId } = await params;
  if (!boardIdSchema.safeParse(boardId).success) notFound();
  const { name, seed } = await searchParams;
  return <BoardPage address={{ boardId }} nameFromUrl={typeof name === "string" ? name : null} seed={seedParam(seed)} />;
}
