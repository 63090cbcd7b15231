"use client";

import { useStore } from "zustand";
import { useBoardState } from "./BoardStateProvider";

export function PeoplePanel() {
  const { presence, chat } = useBoardState();
  const users = useStore(presence, (s) => s.users);
  const self = useStore(presence, (s) => s.self);
  return (
    <section className="card people" aria-label="People on this board">
      <h2 data-testid="presence-count" data-count={users.length}>
        {users.length === 1 ? "1 connected" : `${users.length} connected`}
      </h2>
      <ul data-testid="user-list">
        {users.map((u) => {
          const isSelf = u.id === self?.id;
          return (
            <li
              key={u.id}
              className={`people__item people__item--${u.state}`}
              data-testid="user-item"
              data-name={u.name}
              data-self={isSelf ? "true" : "false"}
              data-state={u.state}
            >
              <span className="avatar" style={{ backgroundColor: u.color }} aria-hidden>
                {u.name.slice(0, 1).toUpperCase()}
              </span>
              <span className="people__name">{u.name}</span>
              {isSelf && <span className="badge">you</span>}
              {u.state !== "active" && <span className="people__state">{u.state}</span>}
              {!isSelf && (
                <button
                  className="link people__dm"
                  data-testid="dm-target"
                  data-name={u.name}
                  title={`Send ${u.name} a private message`}
                  onClick={() => chat.getState().setTarget({ id: u.id, name: u.name })}
                >
                  message
                </button>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
