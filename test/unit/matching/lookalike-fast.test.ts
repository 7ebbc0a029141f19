import { expect, it } from "vitest";
import { editDistance, oneEditApart } from "../../../src/matching/lookalike.js";

it("oneEditApart agrees with the edit distance on every pair of short strings over a small alphabet", () => {
  const words: string[] = [""];
  for (let len = 1; len <= 4; len++) for (const w of words.filter((x) => x.length === len - 1)) for (const c of "abc") words.push(w + c);
  let pairs = 0;
  for (const a of words) for (const b of words) {
    expect(oneEditApart(a, b), `${a} ~ ${b}`).toBe(editDistance(a, b, 1) === 1);
    pairs++;
  }
  expect(pairs).toBe(words.length ** 2);
  expect(oneEditApart("requests", "reqeusts")).toBe(true);
  expect(oneEditApart("requests", "requestss")).toBe(true);
  expect(oneEditApart("requests", "requests")).toBe(false);
  expect(oneEditApart("django", "flask")).toBe(false);
});
