// Part 1's settings as the form and a link read them (www/tiny/settings.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import { TINY_DEFAULTS } from "../../www/generated/engine";
import { FIELDS, parseList } from "../../www/tiny/settings";
import type { TinyConfig } from "../../www/tiny/types";

test("lists read with decimal points, or with decimal commas between spaces or semicolons", () => {
  assert.deepEqual(parseList("0.1, 0.5"), [0.1, 0.5]);
  assert.deepEqual(parseList("0,1 0,5"), [0.1, 0.5]);
  assert.deepEqual(parseList("0,1; 0,5"), [0.1, 0.5]);
  assert.deepEqual(parseList("0,5;"), [0.5]);
  // One "1,2" with nothing to say it is a decimal comma: two numbers, as the sheet writes them.
  assert.deepEqual(parseList("1,2", 2), [1, 2]);
  assert.deepEqual(parseList(" 2 "), [2]);
});

test("a list that is not numbers, or not as many as asked, says so", () => {
  assert.equal(parseList("1, x"), '"x" is not a number');
  assert.equal(parseList("1,2,3", 2), "expected 2 comma-separated numbers");
  assert.equal(parseList("", 2), "expected 2 comma-separated numbers");
});

test("each field reads its text into the config and shows it back", () => {
  const field = (key: string) => FIELDS.find((f) => f.key === key)!;
  const config: TinyConfig = structuredClone(TINY_DEFAULTS);
  assert.equal(field("iterations").read("1.5", config), "must be a whole number");
  assert.equal(field("iterations").read("12", config), null);
  assert.equal(config.iterations, 12);
  assert.equal(field("bias").read("", config), null);
  assert.equal(config.bias, null);
  assert.equal(field("bias").read("0,35; 0,6", config), null);
  assert.deepEqual(config.bias, [0.35, 0.6]);
  assert.equal(field("weights").read("1, 2, 3", config), "expected 8 comma-separated numbers");
  // Every field shows the sheet's values as it reads them back.
  for (const f of FIELDS) {
    const again: TinyConfig = structuredClone(TINY_DEFAULTS);
    assert.equal(f.read(f.show(TINY_DEFAULTS), again), null, f.key);
    assert.deepEqual(again, TINY_DEFAULTS, f.key);
  }
});
