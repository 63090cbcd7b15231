"use client";

import { useEffect, useState, type FormEvent } from "react";
import { LIMITS } from "@/lib/protocol";

interface Props {
  initial: string;
  error: string | null;
  onSubmit(name: string): void;
}

export function NameForm({ initial, error, onSubmit }: Props) {
  const [name, setName] = useState(initial);
  useEffect(() => setName(initial), [initial]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit(name);
  };

  return (
    <main className="name-gate">
      <form className="card name-card" onSubmit={submit}>
        <h1>Join this board</h1>
        <label htmlFor="name-input">Your name, as the others will see it</label>
        <input
          id="name-input"
          data-testid="name-input"
          autoFocus
          autoComplete="nickname"
          maxLength={LIMITS.nameMaxLength}
          value={name}
          onChange={(e) => setName(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? "name-error" : undefined}
        />
        {error && (
          <p id="name-error" className="field-error" role="alert" data-testid="name-error">
            {error}
          </p>
        )}
        <button className="button button--primary" type="submit" data-testid="join-board">
          Join
        </button>
      </form>
    </main>
  );
}
