"use client";

import Link from "next/link";
import { useEffect, useState } from "react";
import { useStore } from "zustand";
import { BoardSession } from "@/lib/client/board-session";
import { clientId, rememberBoard, rememberName, rememberedName } from "@/lib/client/identity";
import { browserStorage, browserTabId } from "@/lib/client/outbox";
import { watchActivity } from "@/lib/client/activity";
import { createSessionStore } from "@/lib/client/session-store";
import { getSocket } from "@/lib/client/socket";
import { useConnection } from "@/lib/client/use-connection";
import { displayNameSchema } from "@/lib/protocol";
import { BoardCanvas } from "./BoardCanvas";
import { ChatPanel } from "./ChatPanel";
import { ColorCircle } from "./ColorCircle";
import { BoardStateProvider } from "./BoardStateProvider";
import { BoardConnectionStatus, ConnectionStatus } from "./ConnectionStatus";
import { NameForm } from "./NameForm";
import { Outdated } from "./Outdated";
import { PeoplePanel } from "./PeoplePanel";
import { OpErrors } from "./OpErrors";
import { ShareLink } from "./ShareLink";
import { Toolbar } from "./Toolbar";

interface Props {
  boardId: string;
  nameFromUrl: string | null;
}

/** A name that may be used, or the reason it may not. */
function checkName(raw: string): { name: string } | { error: string } {
  const parsed = displayNameSchema.safeParse(raw);
  return parsed.success ? { name: parsed.data } : { error: parsed.error.issues[0]?.message ?? "Not a valid name." };
}

/** What the page shows before its first session: joining, nothing refused. Never written to. */
const NO_SESSION = createSessionStore();

export function BoardPage({ boardId, nameFromUrl }: Props) {
  useConnection();
  const [session, setSession] = useState<BoardSession | null>(null);
  const { phase, joinError } = useStore(session?.state.session ?? NO_SESSION);
  // Each submit is a new attempt, even with the same name (it may have been freed meanwhile).
  const fromUrl = nameFromUrl === null ? null : checkName(nameFromUrl);
  const [attempt, setAttempt] = useState(() => (fromUrl && "name" in fromUrl ? { name: fromUrl.name, n: 0 } : null));
  const [nameError, setNameError] = useState(() => (fromUrl && "error" in fromUrl ? fromUrl.error : null));
  const [suggestion, setSuggestion] = useState(nameFromUrl ?? "");

  useEffect(() => {
    if (nameFromUrl === null) setSuggestion(rememberedName());
  }, [nameFromUrl]);

  useEffect(() => {
    if (phase === "joined") rememberBoard(boardId);
  }, [phase, boardId]);

  useEffect(() => {
    if (!attempt) return;
    rememberName(attempt.name);
    const s = new BoardSession({
      socket: getSocket(),
      boardId,
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
  }, [boardId, attempt]);

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
  return (
    <div className="board-page">
      <header className="topbar">
        <Link href="/" className="brand">
          Scribble
        </Link>
        <ShareLink boardId={boardId} />
        {session ? <BoardConnectionStatus board={session.state} /> : <ConnectionStatus />}
      </header>
      {phase === "outdated" ? (
        <Outdated message={joinError} />
      ) : choosing ? (
        <NameForm initial={suggestion} error={nameError ?? joinError} onSubmit={submit} />
      ) : phase === "joining" || !session ? (
        <p className="joining" data-testid="joining">
          Joining board…
        </p>
      ) : (
        <BoardStateProvider state={session.state}>
        <main className="board-layout">
          <section className="workspace">
            <Toolbar session={session} boardId={boardId} />
            <BoardCanvas session={session} />
            <OpErrors />
          </section>
          <aside className="sidebar">
            <ColorCircle setColor={(c) => session.setColor(c)} />
            <PeoplePanel />
            <ChatPanel session={session} />
          </aside>
        </main>
        </BoardStateProvider>
      )}
    </div>
  );
}
