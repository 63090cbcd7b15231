"use client";

import { useState } from "react";

/** Copies a link, says so for a moment; where the clipboard is refused, shows the link to copy by hand. */
export function CopyButton({ text, label, title, testId }: { text: () => string; label: string; title?: string; testId: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    const value = text();
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
      window.setTimeout(() => setCopied(false), 1500);
    } catch {
      // Clipboard access needs a secure context or permission.
      window.prompt("Copy this link:", value);
    }
  };
  return (
    <button className="button button--small" onClick={copy} data-testid={testId} title={title}>
      {copied ? "Copied" : label}
    </button>
  );
}
