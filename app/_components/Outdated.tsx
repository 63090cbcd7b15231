"use client";

/**
 * The server speaks another protocol version than this page (it was updated while the tab was
 * open): joining again cannot help, reloading the page can.
 */
export function Outdated({ message }: { message: string | null }) {
  return (
    <main className="name-gate">
      <div className="card name-card" data-testid="outdated">
        <h1>Scribble has been updated</h1>
        <p className="muted" role="alert">
          {message ?? "This page is from another version of Scribble than the server."}
        </p>
        <button className="button button--primary" type="button" data-testid="reload-page" autoFocus onClick={() => window.location.reload()}>
          Reload the page
        </button>
      </div>
    </main>
  );
}
