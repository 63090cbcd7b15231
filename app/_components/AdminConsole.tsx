"use client";

import Link from "next/link";
import { useEffect, useState, type FormEvent } from "react";
import { adminSocket, type AdminSocket } from "@/lib/client/admin-socket";
import type { Ack, AdminBoard, AdminStats } from "@/lib/protocol";

const TOKEN_KEY = "scribble.adminToken";

/** Refusals and drops worth an operator's eye, in the words they would use. */
const COUNTERS: [key: string, label: string][] = [
  ["rateLimited", "Rate-limited events"],
  ["invalidPayloads", "Invalid payloads"],
  ["unknownEvents", "Unknown events"],
  ["refusedConnections", "Refused connections"],
  ["refusedHosts", "Refused hosts"],
  ["connectionsCutOff", "Connections cut off"],
  ["slowReadersClosed", "Slow readers closed"],
  ["adminRefusals", "Wrong admin tokens"],
  ["handlerErrors", "Handler errors"],
];

const readToken = () => (typeof window === "undefined" ? "" : (window.sessionStorage.getItem(TOKEN_KEY) ?? ""));

/**
 * The operator's live view of the server (`/admin`): boards with their people and rates,
 * connections, memory, refusals and drops; lock, remove, delete. Needs ADMIN_TOKEN, kept in this
 * tab's session storage only.
 */
export function AdminConsole() {
  const [token, setToken] = useState<string | null>(null);
  const [typed, setTyped] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [socket, setSocket] = useState<AdminSocket | null>(null);
  const [stats, setStats] = useState<AdminStats | null>(null);

  useEffect(() => setToken(readToken() || null), []);
  useEffect(() => {
    if (token === null) return;
    const s = adminSocket(token);
    s.on("connect", () => setError(null));
    s.on("connect_error", (err) => {
      setError(err.message);
      // A refused token is not tried again by itself.
      if (!s.active) {
        window.sessionStorage.removeItem(TOKEN_KEY);
        setToken(null);
      }
    });
    s.on("admin:stats", setStats);
    s.connect();
    setSocket(s);
    return () => {
      s.disconnect();
      setSocket(null);
    };
  }, [token]);

  const signIn = (event: FormEvent) => {
    event.preventDefault();
    window.sessionStorage.setItem(TOKEN_KEY, typed);
    setToken(typed);
    setTyped("");
  };

  if (token === null || !stats) {
    return (
      <main className="name-gate">
        <form className="card name-card" onSubmit={signIn} data-testid="admin-sign-in-form">
          <h1>Scribble admin</h1>
          <p className="muted">
            Live boards, people and load, with lock, remove and delete. Start the server with <code>ADMIN_TOKEN</code> set (16 characters or more)
            and give that token here.
          </p>
          {error && (
            <p className="field-error" role="alert" data-testid="admin-error">
              {error}
            </p>
          )}
          <label htmlFor="admin-token">Admin token</label>
          <input id="admin-token" type="password" autoComplete="off" data-testid="admin-token" value={typed} onChange={(e) => setTyped(e.target.value)} />
          <button className="button button--primary" type="submit" data-testid="admin-sign-in" disabled={!typed || (token !== null && !error)}>
            {token !== null && !error ? "Connecting…" : "Open"}
          </button>
          <Link href="/">Back to the lobby</Link>
        </form>
      </main>
    );
  }

  return (
    <main className="admin">
      <header className="topbar">
        <Link href="/" className="brand">
          Scribble
        </Link>
        <span className="badge">admin</span>
        <span className="admin__live muted" data-testid="admin-stats" data-connections={stats.connections}>
          {socket?.connected ? "live" : "reconnecting…"} · up {Math.round(stats.uptimeSeconds / 60)} min
        </span>
        <button
          className="button button--small"
          data-testid="admin-sign-out"
          onClick={() => {
            window.sessionStorage.removeItem(TOKEN_KEY);
            setToken(null);
            setStats(null);
          }}
        >
          Sign out
        </button>
      </header>
      <section className="admin__figures">
        <Figure label="Connections" value={stats.connections} />
        <Figure label="Live boards" value={stats.boards.length} />
        <Figure label="Boards in memory" value={stats.boardsInMemory} />
        <Figure label="Memory (RSS)" value={`${stats.memory.rssMb} MB`} />
        <Figure label="Heap used" value={`${stats.memory.heapUsedMb} MB`} />
      </section>
      <section className="card">
        <h2>Live boards</h2>
        {stats.boards.length === 0 ? (
          <p className="muted" data-testid="admin-no-boards">
            Nobody is on a board now.
          </p>
        ) : (
          <ul className="admin__boards">
            {stats.boards.map((b) => (
              <AdminBoardRow key={b.boardId} board={b} socket={socket} onError={setError} />
            ))}
          </ul>
        )}
        {error && (
          <p className="field-error" role="alert" data-testid="admin-error">
            {error}
          </p>
        )}
      </section>
      <section className="card">
        <h2>Refusals and drops since the start</h2>
        <dl className="admin__counters">
          {COUNTERS.map(([key, label]) => (
            <div key={key} data-testid="admin-counter" data-counter={key} data-value={stats.counters[key] ?? 0}>
              <dt>{label}</dt>
              <dd>{(stats.counters[key] ?? 0).toLocaleString()}</dd>
            </div>
          ))}
        </dl>
      </section>
    </main>
  );
}

function Figure({ label, value }: { label: string; value: string | number }) {
  return (
    <div className="card admin__figure">
      <span className="muted">{label}</span>
      <strong>{typeof value === "number" ? value.toLocaleString() : value}</strong>
    </div>
  );
}

function AdminBoardRow({ board, socket, onError }: { board: AdminBoard; socket: AdminSocket | null; onError(message: string | null): void }) {
  const [confirming, setConfirming] = useState(false);
  const act = async (answer: Promise<Ack> | undefined) => {
    const res = await answer?.catch(() => null);
    onError(res === null ? "No answer from the server." : res && !res.ok ? res.error.message : null);
  };
  const { boardId, settings, people } = board;
  return (
    <li className="admin__board" data-testid="admin-board" data-board={boardId} data-people={people.length} data-locked={settings.locked ? "true" : "false"}>
      <div className="admin__board-head">
        <Link href={`/b/${boardId}`} className="board-list__id">
          {boardId}
        </Link>
        {board.owned ? <span className="badge">owned</span> : <span className="badge badge--viewer">open</span>}
        {settings.locked && <span className="badge badge--viewer">locked</span>}
        <span className="muted">
          {people.length} {people.length === 1 ? "person" : "people"} · {board.opsPerSecond} changes/s · {board.messagesPerSecond} messages/s
        </span>
        <span className="admin__actions">
          <button className="button button--small" data-testid="admin-lock" onClick={() => void act(socket?.emitWithAck("admin:lock", { boardId, locked: !settings.locked }))}>
            {settings.locked ? "Unlock" : "Lock"}
          </button>
          {confirming ? (
            <>
              <button className="button button--small button--danger" data-testid="admin-delete-confirm" onClick={() => void act(socket?.emitWithAck("admin:delete", { boardId }))}>
                Delete for good
              </button>
              <button className="button button--small" onClick={() => setConfirming(false)}>
                Cancel
              </button>
            </>
          ) : (
            <button className="button button--small" data-testid="admin-delete" onClick={() => setConfirming(true)}>
              Delete…
            </button>
          )}
        </span>
      </div>
      <ul className="admin__people">
        {people.map((p) => (
          <li key={p.id} data-testid="admin-person" data-name={p.name} data-role={p.role}>
            <span>{p.name}</span>
            <span className="muted">
              {p.role} · {p.state}
              {p.tabs > 1 ? ` · ${p.tabs} tabs` : ""}
            </span>
            {p.role !== "owner" && (
              <button className="link link--danger" data-testid="admin-remove" onClick={() => void act(socket?.emitWithAck("admin:remove", { boardId, userId: p.id }))}>
                remove
              </button>
            )}
          </li>
        ))}
      </ul>
    </li>
  );
}
