"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { customAlphabet } from "nanoid";
import { useEffect, useState, type FormEvent } from "react";
import { boardIdSchema, type BoardSummary } from "@/lib/protocol";
import { recentBoards } from "@/lib/client/identity";
import { createOwnedBoard } from "@/lib/client/owner-keys";
import { getSocket } from "@/lib/client/socket";
import { useConnection } from "@/lib/client/use-connection";
import { ConnectionStatus } from "./ConnectionStatus";

// 16 characters of 36: about 82 bits, unguessable, and still easy to read out in a classroom.
const newBoardId = customAlphabet("0123456789abcdefghijklmnopqrstuvwxyz", 16);

/** Accepts a bare id or a pasted board link. */
function boardIdFrom(input: string): string {
  const trimmed = input.trim();
  const fromUrl = /\/b\/([^/?#]+)/.exec(trimmed);
  return fromUrl?.[1] ?? trimmed;
}

/**
 * What the lobby shows live: who is on each board it names (null until it knows the boards:
 * `boardIds` read after mount), and the boards owners listed for everyone, with their counts.
 */
function useLobby(boardIds: string[] | null): { counts: Map<string, number>; listed: string[] } {
  const [counts, setCounts] = useState<Map<string, number>>(new Map());
  const [listed, setListed] = useState<string[]>([]);
  const key = boardIds?.join(" ");
  useEffect(() => {
    if (key === undefined) return;
    const boards = key ? key.split(" ") : [];
    const socket = getSocket();
    const take = (summaries: BoardSummary[]) => setCounts((c) => new Map([...c, ...summaries.map((b): [string, number] => [b.boardId, b.count])]));
    const watch = async () => {
      const res = await socket.timeout(5_000).emitWithAck("lobby:watch", { boards }).catch(() => null);
      if (!res?.ok) return;
      take([...res.boards, ...res.listed]);
      setListed(res.listed.map((b: BoardSummary) => b.boardId));
    };
    const onCount = (summary: BoardSummary) => take([summary]);
    const onListed = (summaries: BoardSummary[]) => {
      take(summaries);
      setListed(summaries.map((b) => b.boardId));
    };
    socket.on("connect", watch);
    socket.on("lobby:count", onCount);
    socket.on("lobby:listed", onListed);
    if (socket.connected) void watch();
    return () => {
      socket.off("connect", watch);
      socket.off("lobby:count", onCount);
      socket.off("lobby:listed", onListed);
      if (socket.connected) socket.emit("lobby:unwatch");
    };
  }, [key]);
  return { counts, listed };
}

const peopleOn = (count: number) => (count === 0 ? "nobody there" : count === 1 ? "1 person there" : `${count} people there`);

export function Lobby() {
  useConnection();
  const router = useRouter();
  const [openId, setOpenId] = useState("");
  const [openError, setOpenError] = useState<string | null>(null);
  // Read after mount: the server render has no localStorage, and both renders must agree.
  const [recent, setRecent] = useState<{ boardId: string; at: number }[] | null>(null);
  useEffect(() => setRecent(recentBoards()), []);
  const { counts, listed } = useLobby(recent && recent.map((b) => b.boardId));

  const open = (event: FormEvent) => {
    event.preventDefault();
    const id = boardIdFrom(openId);
    const parsed = boardIdSchema.safeParse(id);
    if (!parsed.success) {
      setOpenError(parsed.error.issues[0]?.message ?? "Not a board id.");
      return;
    }
    router.push(`/b/${parsed.data}`);
  };

  return (
    <main className="lobby">
      <header className="topbar">
        <span className="brand">Scribble</span>
        <ConnectionStatus />
      </header>
      <section className="lobby__hero">
        <h1>Draw together, live.</h1>
        <p>Open a board, share its link, and everyone on it sees every change as it happens.</p>
        <button
          className="button button--primary"
          data-testid="create-board"
          onClick={() => {
            const id = newBoardId();
            createOwnedBoard(id);
            router.push(`/b/${id}`);
          }}
        >
          Create a board
        </button>
      </section>
      <section className="card">
        <h2>Open a board</h2>
        <form className="inline-form" onSubmit={open}>
          <input
            data-testid="open-board-input"
            aria-label="Board id or link"
            placeholder="Board id or link"
            value={openId}
            onChange={(e) => {
              setOpenId(e.target.value);
              setOpenError(null);
            }}
          />
          <button className="button" type="submit" data-testid="open-board">
            Open
          </button>
        </form>
        {openError && (
          <p className="field-error" role="alert" data-testid="open-board-error">
            {openError}
          </p>
        )}
      </section>
      {listed.length > 0 && (
        <section className="card">
          <h2>Open boards</h2>
          <p className="muted">Boards their owners chose to list here for everyone.</p>
          <ul className="board-list" data-testid="listed-boards">
            {listed.map((id) => {
              const count = counts.get(id);
              return (
                <li key={id}>
                  <Link href={`/b/${id}`} data-testid="listed-board" data-board={id} data-count={count ?? ""}>
                    <span className="board-list__id">{id}</span>
                    <span className="board-list__when">{count !== undefined && <span className={count > 0 ? "badge" : "muted"}>{peopleOn(count)}</span>}</span>
                  </Link>
                </li>
              );
            })}
          </ul>
        </section>
      )}
      <section className="card">
        <h2>Your boards</h2>
        <p className="muted">Boards opened in this browser, with who is on them now. Nobody else sees this list.</p>
        {recent !== null && recent.length === 0 ? (
          <p className="muted" data-testid="no-recent-boards">
            Boards you create or open show up here.
          </p>
        ) : (
          <ul className="board-list" data-testid="recent-boards">
            {(recent ?? []).map((b) => {
              const count = counts.get(b.boardId);
              return (
                <li key={b.boardId}>
                  <Link href={`/b/${b.boardId}`} data-testid="recent-board" data-board={b.boardId} data-count={count ?? ""}>
                    <span className="board-list__id">{b.boardId}</span>
                    <span className="board-list__when">
                      {count !== undefined && <span className={count > 0 ? "badge" : "muted"}>{peopleOn(count)}</span>}
                      <span className="muted">opened {new Date(b.at).toLocaleDateString()}</span>
                    </span>
                  </Link>
                </li>
              );
            })}
          </ul>
        )}
      </section>
    </main>
  );
}
