import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { boardIdSchema } from "@/lib/protocol";
import { BoardPage } from "../../_components/BoardPage";

interface Props {
  params: Promise<{ boardId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { boardId } = await params;
  return { title: `Board ${boardId}` };
}

export default async function Page({ params, searchParams }: Props) {
  const { boardId } = await params;
  if (!boardIdSchema.safeParse(boardId).success) notFound();
  const { name } = await searchParams;
  return <BoardPage boardId={boardId} nameFromUrl={typeof name === "string" ? name : null} />;
}
