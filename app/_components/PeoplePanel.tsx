"use client";

import { useState } from "react";
import { useStore } from "zustand";
import type { BoardSession } from "@/lib/client/board-session";
import { effectiveRole, type User } from "@/lib/protocol";
import { useBoardState } from "./BoardStateProvider";
import { useWhyNot } from "./use-permission";

/** What an owner may do to one other person: make them a viewer or an editor, or remove them. */
function PersonActions({ session, user }: { session: BoardSession; user: User }) {
  const [confirming, setConfirming] = useState(false);
  if (confirming) {
    return (
      <>
        <button
          className="link link--danger"
          data-testid="remove-person-confirm"
          autoFocus
          onClick={() => {
            setConfirming(false);
            void session.manage({ type: "remove", userId: user.id });
          }}
        >
          Remove {user.name} from the board
        </button>
        <button className="link" data-testid="remove-person-cancel" onClick={() => setConfirming(false)}>
          cancel
        </button>
      </>
    );
  }
  const next = user.role === "viewer" ? "editor" : "viewer";
  return (
    <>
      <button
        className="link"
        data-testid={next === "viewer" ? "make-viewer" : "make-editor"}
        title={next === "viewer" ? `${user.name} can look but not change the board` : `${user.name} can draw again`}
        onClick={() => void session.manage({ type: "role", userId: user.id, role: next })}
      >
        {next === "viewer" ? "make viewer" : "make editor"}
      </button>
      <button className="link link--danger" data-testid="remove-person" title={`Take ${user.name} off the board; they cannot come back until let in`} onClick={() => setConfirming(true)}>
        remove
      </button>
    </>
  );
}

/**
 * Everyone on the board, with their role (`data-role`, as it applies now: a lock makes editors
 * viewers); owners get each other person's controls.
 */
export function PeoplePanel({ session }: { session: BoardSession }) {
  const { presence, chat, access } = useBoardState();
  const users = useStore(presence, (s) => s.users);
  const self = useStore(presence, (s) => s.self);
  const settings = useStore(access, (s) => s.settings);
  const owned = useStore(access, (s) => s.owned);
  const iOwn = self?.role === "owner";
  const chatOff = useWhyNot("chat") !== undefined;
  return (
    <section className="card people" aria-label="People on this board">
      <h2 data-testid="presence-count" data-count={users.length}>
        {users.length === 1 ? "1 connected" : `${users.length} connected`}
      </h2>
      <ul data-testid="user-list">
        {users.map((u) => {
          const isSelf = u.id === self?.id;
          const role = effectiveRole(u.role, settings);
          const managed = iOwn && !isSelf && u.role !== "owner";
          const dm = !isSelf && !chatOff && (
            <button
              className="link people__dm"
              data-testid="dm-target"
              data-name={u.name}
              title={`Send ${u.name} a private message`}
              onClick={() => chat.getState().setTarget({ id: u.id, name: u.name })}
            >
              message
            </button>
          );
          return (
            <li
              key={u.id}
              className={`people__item people__item--${u.state}${managed ? " people__item--managed" : ""}`}
              data-testid="user-item"
              data-name={u.name}
              data-self={isSelf ? "true" : "false"}
              data-state={u.state}
              data-role={role}
            >
              <span className="avatar" style={{ backgroundColor: u.color }} aria-hidden>
                {u.name.slice(0, 1).toUpperCase()}
              </span>
              <span className="people__name">{u.name}</span>
              {isSelf && <span className="badge">you</span>}
              {owned && role !== "editor" && (
                <span className={`badge badge--${role}`} data-testid="role-badge">
                  {role}
                </span>
              )}
              {u.state !== "active" && <span className="people__state">{u.state}</span>}
              {managed ? (
                <span className="people__actions">
                  {dm}
                  <PersonActions session={session} user={u} />
                </span>
              ) : (
                dm
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
