"use client";

import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { useStore } from "zustand";
import { BoardSession, type BoardAddress } from "@/lib/client/board-session";
import { clientId, rememberBoard, rememberName, rememberedName } from "@/lib/client/identity";
import { keepOwnerKey, ownerKeyOf, takeOwnerLink } from "@/lib/client/owner-keys";
import { browserStorage, browserTabId } from "@/lib/client/outbox";
import { watchActivity } from "@/lib/client/activity";
import { seedIds } from "@/lib/client/ids";
import { createSessionStore } from "@/lib/client/session-store";
import { getSocket } from "@/lib/client/socket";
import { publishSyncHooks } from "@/lib/client/sync-hooks";
import { useConnection } from "@/lib/client/use-connection";
import { displayNameSchema } from "@/lib/protocol";
import { BoardCanvas } from "./BoardCanvas";
import { BoardControls } from "./BoardControls";
import { BoardLayout } from "./BoardLayout";
import { ChatPanel } from "./ChatPanel";
import { ColorCircle } from "./ColorCircle";
import { BoardStateProvider } from "./BoardStateProvider";
import { BoardConnectionStatus, ConnectionStatus } from "./ConnectionStatus";
import { Dismissed } from "./Dismissed";
import { HistoryPanel } from "./HistoryPanel";
import { NameForm } from "./NameForm";
import { Outdated } from "./Outdated";
import { PeoplePanel } from "./PeoplePanel";
import { OpErrors } from "./OpErrors";
import { ShareLink } from "./ShareLink";
import { Toolbar } from "./Toolbar";

interface Props {
  /** The board's id (its ordinary link) or its view-only link's key. */
  address: BoardAddress;
  nameFromUrl: string | null;
  /** `?seed=`, honoured only where the server runs its test API: this tab's ids come from it. */
  seed?: string | null;
}

/** A name that may be used, or the reason it may not. */
function checkName(raw: string): { name: string } | { error: string } {
  const parsed = displayNameSchema.safeParse(raw);
  return parsed.success ? { name: parsed.data } : { error: parsed.error.issues[0]?.message ?? "Not a valid name." };
}

/** What the page shows before its first session: joining, nothing refused. Never written to. */
const NO_SESSION = createSessionStore();

export function BoardPage({ address, nameFromUrl, seed = null }: Props) {
  useConnection();
  // Before the session below makes its first id.
  useEffect(() => {
    if (seed !== null) seedIds(seed);
  }, [seed]);
  const boardId = "boardId" in address ? address.boardId : null;
  const viewKey = "view" in address ? address.view : null;
  const [session, setSession] = useState<BoardSession | null>(null);
  const { phase, joinError, dismissal } = useStore(session?.state.session ?? NO_SESSION);
  // Each submit is a new attempt, even with the same name (it may have been freed meanwhile).
  const fromUrl = nameFromUrl === null ? null : checkName(nameFromUrl);
  const [attempt, setAttempt] = useState(() => (fromUrl && "name" in fromUrl ? { name: fromUrl.name, n: 0 } : null));
  const [nameError, setNameError] = useState(() => (fromUrl && "error" in fromUrl ? fromUrl.error : null));
  const [suggestion, setSuggestion] = useState(nameFromUrl ?? "");
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => publishSyncHooks(root.current!, session, boardId), [session, boardId]);

  useEffect(() => {
    if (nameFromUrl === null) setSuggestion(rememberedName());
  }, [nameFromUrl]);

  // An owner link's key, tried with the first join and kept only if the server takes it as the
  // owner key: a link from anyone else must not replace the key that makes this browser an owner.
  const linkedKey = useRef<string | null>(null);
  useEffect(() => {
    if (boardId === null) return;
    linkedKey.current = takeOwnerLink();
    // An owner link pasted over this board's address changes only the fragment: join again with it.
    const onHashChange = () => {
      const key = takeOwnerLink();
      if (key === null) return;
      linkedKey.current = key;
      setAttempt((a) => a && { ...a, n: a.n + 1 });
    };
    window.addEventListener("hashchange", onHashChange);
    return () => window.removeEventListener("hashchange", onHashChange);
  }, [boardId]);
  useEffect(() => {
    const tried = linkedKey.current;
    if (phase !== "joined" || !session || boardId === null || tried === null) return;
    linkedKey.current = null;
    if (session.state.presence.getState().self?.role === "owner") keepOwnerKey(boardId, tried);
    // Not the owner's key: join again with this browser's own, if it has one.
    else if (ownerKeyOf(boardId)) setAttempt((a) => a && { ...a, n: a.n + 1 });
  }, [phase, session, boardId]);

  // A view-only link is not remembered: the lobby would show it under the board's id.
  useEffect(() => {
    if (phase === "joined" && boardId !== null) rememberBoard(boardId);
  }, [phase, boardId]);

  useEffect(() => {
    if (!attempt) return;
    rememberName(attempt.name);
    const ownerKey = boardId === null ? undefined : (linkedKey.current ?? ownerKeyOf(boardId));
    const s = new BoardSession({
      socket: getSocket(),
      board: boardId !== null ? { boardId } : { view: viewKey! },
      ...(ownerKey ? { ownerKey } : {}),
      name: attempt.name,
      clientId: clientId(),
      storage: browserStorage(),
      tabId: browserTabId(),
      watchActivity,
    });
    s.start();
    setSession(s);
    return () => {
      s.stop();
      setSession(null);
    };
  }, [boardId, viewKey, attempt]);

  const submit = (raw: string) => {
    const checked = checkName(raw);
    if ("error" in checked) {
      setNameError(checked.error);
      return;
    }
    setNameError(null);
    setSuggestion(checked.name);
    setAttempt((a) => ({ name: checked.name, n: (a?.n ?? 0) + 1 }));
  };

  const choosing = !attempt || phase === "refused";
  // A viewer's file never holds the board id.
  const exportName = boardId !== null ? `scribble-${boardId}` : "scribble-board";
  return (
    <div className="board-page" ref={root} data-sync-state="joining">
      <header className="topbar">
        <Link href="/" className="brand">
          Scribble
        </Link>
        {session && phase === "joined" ? (
          <BoardStateProvider state={session.state}>
            <ShareLink boardId={boardId} />
          </BoardStateProvider>
        ) : (
          boardId !== null && <span className="share__id">{boardId}</span>
        )}
        {session ? <BoardConnectionStatus board={session.state} /> : <ConnectionStatus />}
      </header>
      {phase === "outdated" ? (
        <Outdated message={joinError} />
      ) : phase === "dismissed" && session ? (
        <Dismissed dismissal={dismissal} onRejoin={() => setAttempt((a) => a && { ...a, n: a.n + 1 })} />
      ) : choosing ? (
        <NameForm initial={suggestion} error={nameError ?? joinError} onSubmit={submit} />
      ) : phase === "joining" || !session ? (
        <p className="joining" data-testid="joining">
          Joining board…
        </p>
      ) : (
        <BoardStateProvider state={session.state}>
        <BoardLayout>
          <section className="workspace">
            <Toolbar session={session} exportName={exportName} />
            <BoardCanvas session={session} />
            <HistoryWhenOpen session={session} exportName={exportName} />
            <OpErrors />
          </section>
          <aside className="sidebar">
            <ColorCircle setColor={(c) => session.setColor(c)} />
            <BoardControls session={session} boardId={boardId} />
            <PeoplePanel session={session} />
            <ChatPanel session={session} />
          </aside>
        </BoardLayout>
        </BoardStateProvider>
      )}
    </div>
  );
}

/** The history panel, while it is open. */
function HistoryWhenOpen({ session, exportName }: { session: BoardSession; exportName: string }) {
  const open = useStore(session.state.timeline, (s) => s.open);
  return open ? <HistoryPanel session={session} exportName={exportName} /> : null;
}
