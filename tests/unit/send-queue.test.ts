import { describe, expect, it, vi } from "vitest";
import { SendQueue, type Outcome } from "@/lib/client/send-queue";

/** A send function whose answers the test gives, one attempt at a time. */
function scripted() {
  const attempts: { item: string; answer: (o: Outcome) => void }[] = [];
  const send = (item: string) => new Promise<Outcome>((answer) => attempts.push({ item, answer }));
  return { attempts, send };
}

describe("SendQueue", () => {
  it("sends one item at a time, in order, and nothing before resume", async () => {
    const { attempts, send } = scripted();
    const q = new SendQueue<string>(send, (s) => s);
    q.push("a");
    q.push("b");
    expect(attempts).toHaveLength(0);

    q.resume();
    expect(attempts.map((a) => a.item)).toEqual(["a"]);
    attempts[0]!.answer({ kind: "done" });
    await vi.waitFor(() => expect(attempts.map((a) => a.item)).toEqual(["a", "b"]));
    attempts[1]!.answer({ kind: "done" });
    await vi.waitFor(() => expect(q.size).toBe(0));
  });

  it("retries the head after the hint, and nothing overtakes it meanwhile", async () => {
    vi.useFakeTimers();
    try {
      const { attempts, send } = scripted();
      const q = new SendQueue<string>(send, (s) => s);
      q.push("a");
      q.push("b");
      q.resume();
      attempts[0]!.answer({ kind: "retry", afterMs: 500 });
      await vi.advanceTimersByTimeAsync(499);
      expect(attempts.map((a) => a.item)).toEqual(["a"]);
      await vi.advanceTimersByTimeAsync(1);
      expect(attempts.map((a) => a.item)).toEqual(["a", "a"]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("waits after a 'wait' until resumed, and a resume takes over from an attempt left hanging", async () => {
    const { attempts, send } = scripted();
    const q = new SendQueue<string>(send, (s) => s);
    q.push("a");
    q.push("b");
    q.resume();
    attempts[0]!.answer({ kind: "wait" });
    await Promise.resolve();
    expect(attempts).toHaveLength(1);

    q.resume();
    expect(attempts.map((a) => a.item)).toEqual(["a", "a"]);
    // The connection dropped with "a" in flight: a new connection resends it at once.
    q.resume();
    expect(attempts.map((a) => a.item)).toEqual(["a", "a", "a"]);
    // The late answer of an old attempt settles the item but does not drive the queue twice.
    attempts[1]!.answer({ kind: "done" });
    await Promise.resolve();
    attempts[2]!.answer({ kind: "done" });
    await vi.waitFor(() => expect(attempts.map((a) => a.item)).toEqual(["a", "a", "a", "b"]));
  });
});
