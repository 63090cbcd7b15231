"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { customAlphabet } from "nanoid";
import { useEffect, useState, type FormEvent } from "react";
import { boardIdSchema, type BoardSummary } from "@/lib/protocol";
import { recentBoards } from "@/lib/client/identity";
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

export function Lobby() {
  useConnection();
  const router = useRouter();
  const [boards, setBoards] = useState<BoardSummary[] | null>(null);
  const [openId, setOpenId] = useState("");
  const [openError, setOpenError] = useState<string | null>(null);
  // Read after mount: the server render has no localStorage, and both renders must agree.
  const [recent, setRecent] = useState<{ boardId: string; at: number }[]>([]);
  useEffect(() => setRecent(recentBoards()), []);

  useEffect(() => {
    const socket = getSocket();
    const watch = async () => {
      const res = await socket.timeout(5_000).emitWithAck("lobby:watch").catch(() => null);
      if (res?.ok) setBoards(res.boards);
    };
    socket.on("connect", watch);
    socket.on("lobby:boards", setBoards);
    if (socket.connected) void watch();
    return () => {
      socket.off("connect", watch);
      socket.off("lobby:boards", setBoards);
      if (socket.connected) socket.emit("lobby:unwatch");
    };
  }, []);

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
        <button className="button button--primary" data-testid="create-board" onClick={() => router.push(`/b/${newBoardId()}`)}>
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
      {recent.length > 0 && (
        <section className="card">
          <h2>Your recent boards</h2>
          <ul className="board-list" data-testid="recent-boards">
            {recent.map((b) => (
              <li key={b.boardId}>
                <Link href={`/b/${b.boardId}`} data-testid="recent-board" data-board={b.boardId}>
                  <span className="board-list__id">{b.boardId}</span>
                  <span className="muted">{new Date(b.at).toLocaleDateString()}</span>
                </Link>
              </li>
            ))}
          </ul>
        </section>
      )}
      <section className="card">
        <h2>Active boards</h2>
        {boards === null ? (
          <p className="muted">Loading…</p>
        ) : boards.length === 0 ? (
          <p className="muted" data-testid="no-boards">
            Nobody is on a board right now. Create one!
          </p>
        ) : (
          <ul className="board-list" data-testid="board-list">
            {boards.map((b) => (
              <li key={b.boardId}>
                <Link href={`/b/${b.boardId}`} data-testid="board-link" data-board={b.boardId} data-count={b.count}>
                  <span className="board-list__id">{b.boardId}</span>
                  <span className="badge">{b.count === 1 ? "1 person" : `${b.count} people`}</span>
                </Link>
              </li>
            ))}
          </ul>
        )}
      </section>
    </main>
  );
}
