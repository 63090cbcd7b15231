"use client";

import { useEffect, useRef, useState, type FormEvent } from "react";
import { useStore } from "zustand";
import type { BoardSession } from "@/lib/client/board-session";
import type { ChatItem } from "@/lib/client/chat-store";
import { LIMITS } from "@/lib/protocol";
import { useBoardState } from "./BoardStateProvider";
import { useWhyNot } from "./use-permission";

const time = (ms: number) => new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });

const STATUS_LABEL = { pending: "sending…", sent: "sent", failed: "not sent" } as const;

function Item({ item, selfId, onRetry }: { item: ChatItem; selfId: string | undefined; onRetry(opId: string): void }) {
  if (item.kind !== "message") {
    return (
      <li className="chat__line" data-testid="chat-line" data-kind={item.kind} data-name={item.user.name}>
        <span className="dot" style={{ backgroundColor: item.user.color }} aria-hidden />
        {item.user.name} {item.kind === "activity" ? item.text : item.kind}
      </li>
    );
  }
  const { message, status } = item;
  // Unsent messages are always this tab's own (one restored after a reload has an older user id).
  const own = message.author.id === selfId || status !== "sent";
  return (
    <li
      className={`chat__message chat__message--${status}${own ? " chat__message--own" : ""}${message.to ? " chat__message--direct" : ""}`}
      data-testid="chat-message"
      data-author={message.author.name}
      data-status={status}
      data-direct={message.to ? "true" : undefined}
    >
      <div className="chat__meta">
        <span className="chat__author" style={{ color: message.author.color }}>
          {message.author.name}
        </span>
        {message.to && <span className="chat__to">{own ? `to ${message.to.name}` : "to you"} · private</span>}
        <time dateTime={new Date(message.at).toISOString()}>{time(message.at)}</time>
        {own && <span className="chat__status">{STATUS_LABEL[status]}</span>}
      </div>
      {/* Text, never HTML: React escapes it, whatever it holds. */}
      <p className="chat__text">{message.text}</p>
      {status === "failed" && (
        <p className="chat__error">
          {item.error}{" "}
          <button className="link" data-testid="chat-retry" onClick={() => onRetry(item.key)}>
            Retry
          </button>
        </p>
      )}
    </li>
  );
}

export function ChatPanel({ session }: { session: BoardSession }) {
  const { chat, presence } = useBoardState();
  const items = useStore(chat, (s) => s.items);
  const target = useStore(chat, (s) => s.target);
  const selfId = useStore(presence, (s) => s.self?.id);
  const [text, setText] = useState("");
  const noChat = useWhyNot("chat");
  const listRef = useRef<HTMLOListElement>(null);

  useEffect(() => {
    const list = listRef.current;
    if (list) list.scrollTop = list.scrollHeight;
  }, [items.length]);

  const send = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = text.trim();
    if (!trimmed) return;
    session.sendChat(trimmed, target ?? undefined);
    setText("");
  };

  return (
    <section className="card chat" data-testid="chat-panel" aria-label="Chat">
      <h2>Chat</h2>
      <ol className="chat__log" ref={listRef} data-testid="chat-log" aria-live="polite">
        {items.map((item) => (
          <Item key={item.key} item={item} selfId={selfId} onRetry={(opId) => session.retryChat(opId)} />
        ))}
      </ol>
      {target && (
        <p className="chat__target" data-testid="dm-active" data-name={target.name}>
          Private message to <strong>{target.name}</strong>
          <button className="link" data-testid="dm-clear" onClick={() => chat.getState().setTarget(null)}>
            back to everyone
          </button>
        </p>
      )}
      <form className="chat__form" onSubmit={send}>
        <input
          data-testid="chat-input"
          aria-label={target ? `Private message to ${target.name}` : "Message everyone on the board"}
          placeholder={noChat ? "Chat is off for you" : target ? `To ${target.name}…` : "Say something…"}
          title={noChat}
          disabled={!!noChat}
          maxLength={LIMITS.chatTextMax}
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
        <button className="button button--small" type="submit" data-testid="chat-send" disabled={!text.trim() || !!noChat}>
          Send
        </button>
      </form>
      {noChat && (
        <p className="chat__off" data-testid="chat-off">
          {noChat}
        </p>
      )}
    </section>
  );
}
