import { describe, expect, it } from "vitest";
import { previewKey, type StrokePreview } from "@/lib/protocol";
import { addOp, barrier, emitRaw, join, lateJoiner, newClientId, next, record, sendOp, strokeInput, useServer } from "./harness";

const server = useServer();

const preview = (id: string, points: number[]): StrokePreview => ({ ...strokeInput(id), points });

describe("live stroke previews", () => {
  it("relay to the others on the board with the drawer's user id, never to the drawer or another board", async () => {
    const [a, b, c] = await Promise.all([server().connect(), server().connect(), server().connect()]);
    const ada = await join(a, "room-1", "Ada");
    await join(b, "room-1", "Bob");
    await join(c, "room-2", "Cy");
    const toA = record(a, "stroke:preview");
    const toC = record(c, "stroke:preview");
    // Volatile: nothing may be in flight to B, or the preview could be dropped as it should be.
    await barrier(b);
    const toB = next(b, "stroke:preview");

    a.emit("stroke:preview", preview("s-1", [10, 10, 0.5, 12, 11, 0.5]));

    expect(await toB).toEqual({ ...preview("s-1", [10, 10, 0.5, 12, 11, 0.5]), id: previewKey("s-1"), userId: ada.self.id });
    await Promise.all([barrier(a), barrier(c)]);
    expect(toA).toEqual([]);
    expect(toC).toEqual([]);
  });

  it("reach the drawer's other tab, which is another socket", async () => {
    const [tab1, tab2] = await Promise.all([server().connect(), server().connect()]);
    const clientId = newClientId();
    const ada = await join(tab1, "room-1", "Ada", clientId);
    await join(tab2, "room-1", "Ada", clientId);
    const toTab1 = record(tab1, "stroke:preview");

    // One preview a frame, as the client sends them: volatile packets sent back to back may drop.
    for (const points of [[10, 10, 0.5], [20, 20, 0.5]]) {
      await barrier(tab2);
      const toTab2 = next(tab2, "stroke:preview");
      tab1.emit("stroke:preview", preview("s-1", points));
      expect(await toTab2).toEqual({ ...preview("s-1", points), id: previewKey("s-1"), userId: ada.self.id });
    }
    await barrier(tab1);
    expect(toTab1).toEqual([]);
  });

  it("never tell the others a stroke's id: nobody can commit it first and make the author's commit fail", async () => {
    const [a, b] = await Promise.all([server().connect(), server().connect()]);
    await join(a, "room-1", "Ada");
    await join(b, "room-1", "Mallory");
    await barrier(b);
    const seen = next(b, "stroke:preview");
    const id = "ada-stroke-Xq3kVb9TcW2mZr7LpN4sJ";
    a.emit("stroke:preview", preview(id, [10, 10, 0.5]));
    const { id: shown } = await seen;
    expect(shown).not.toBe(id);
    expect(shown).not.toContain(id.slice(4, 12));

    // Mallory commits under whatever id she saw; it is not Ada's.
    const stolen = await sendOp(b, addOp("op-mallory", strokeInput(shown)));
    expect(stolen.ok).toBe(true);
    const own = await sendOp(a, addOp("op-ada", strokeInput(id)));
    expect(own).toMatchObject({ ok: true, applied: { op: { stroke: { id } } } });
  });

  it("are never kept: a late joiner finds no stroke and no seq", async () => {
    const a = await server().connect();
    await join(a, "room-1", "Ada");
    a.emit("stroke:preview", preview("s-1", [10, 10, 0.5]));
    await barrier(a);

    expect(await lateJoiner(server(), "room-1")).toMatchObject({ seq: 0, strokeCount: 0, strokes: [] });
  });

  it("before joining are answered with a NOT_JOINED error event and go nowhere", async () => {
    const [a, b] = await Promise.all([server().connect(), server().connect()]);
    await join(b, "room-1", "Bob");
    const toB = record(b, "stroke:preview");
    const error = next(a, "error");

    a.emit("stroke:preview", preview("s-1", [10, 10, 0.5]));

    expect(await error).toEqual({ code: "NOT_JOINED", message: expect.stringMatching(/\S/) });
    await barrier(b);
    expect(toB).toEqual([]);
  });

  it("that are malformed are answered with an INVALID_PAYLOAD error event and not relayed", async () => {
    const [a, b] = await Promise.all([server().connect(), server().connect()]);
    await join(a, "room-1", "Ada");
    await join(b, "room-1", "Bob");
    const toB = record(b, "stroke:preview");
    const error = next(a, "error");

    // A forged userId must not pass for someone else's preview.
    emitRaw(a, "stroke:preview", { ...preview("s-1", [10, 10, 0.5]), userId: "someone-else" });

    expect(await error).toEqual({ code: "INVALID_PAYLOAD", message: expect.stringMatching(/^stroke:preview: /) });
    const second = next(a, "error");
    emitRaw(a, "stroke:preview", preview("s-1", [10, null as unknown as number, 0.5]));
    expect(await second).toMatchObject({ code: "INVALID_PAYLOAD" });
    await barrier(b);
    expect(toB).toEqual([]);
  });
});
