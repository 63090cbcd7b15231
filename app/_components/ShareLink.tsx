"use client";

import { useState } from "react";

/** The board id, and a button that copies the board's link for others. */
export function ShareLink({ boardId }: { boardId: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    const url = `${window.location.origin}/b/${boardId}`;
    try {
      await navigator.clipboard.writeText(url);
      setCopied(true);
      window.setTimeout(() => setCopied(false), 1500);
    } catch {
      // Clipboard access needs a secure context or permission: show the link to copy by hand.
      window.prompt("Copy this board link:", url);
    }
  };
  return (
    <div className="share">
      <span className="share__id" data-testid="board-id">
        {boardId}
      </span>
      <button className="button button--small" onClick={copy} data-testid="copy-link">
        {copied ? "Copied" : "Copy link"}
      </button>
    </div>
  );
}
