// Part 2's setup in the page's address (www/mnist/address.ts), read and written as a link does,
// with the recipes as the Rust core defines them (generated into www/generated/engine.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import { INTERPOLATIONS, RECIPES, WORKER_LIMITS } from "../../www/generated/engine";
import { readAddress, writeAddress } from "../../www/mnist/address";
import type { TrainConfig } from "../../www/mnist/protocol";

const recipes = new Map<string, TrainConfig>(RECIPES.map(([name, config]) => [name, config]));
const models = [...new Set(RECIPES.map(([, c]) => c.model as string))];
const read = (query: string, cores = 2) => readAddress(new URLSearchParams(query), recipes, models, cores);

test("no settings in the address: compact's recipe as the page runs it", () => {
  const { setup, ignored } = read("");
  assert.deepEqual(ignored, []);
  assert.equal(setup.recipe, "compact");
  assert.equal(setup.device, "auto");
  assert.deepEqual(setup.config, { ...recipes.get("compact")!, reportEvery: 10, workers: 2 });
  // One worker per core, up to the cap.
  assert.equal(read("", 64).setup.config.workers, WORKER_LIMITS.defaultCap);
  assert.equal(read("", 0).setup.config.workers, 1);
});

test("a recipe and what differs from it; a kind brings its own settings", () => {
  const { setup, ignored } = read("recipe=quick&lr=0.3&optimizer.kind=adam&limitTrain=&device=flex&workers=3");
  assert.deepEqual(ignored, []);
  assert.equal(setup.recipe, "quick");
  assert.equal(setup.device, "flex");
  assert.equal(setup.config.lr, 0.3);
  assert.equal(setup.config.workers, 3);
  assert.equal(setup.config.limitTrain, null);
  assert.equal(setup.config.optimizer.kind, "adam");
  assert.equal(setup.config.epochs, recipes.get("quick")!.epochs);
});

test("what a link gets wrong is named and skipped; the rest applies", () => {
  const { setup, ignored } = read(
    "recipe=nope&epochs=-1&lr=abc&optimizer.kind=adam&optimizer.momentum=0.5&dropout=yes&device=tpu&bogus=1&tiny.lr=2&seed=7" +
      `&model=${encodeURIComponent("{not json")}&augment.interpolation=cubic`,
  );
  assert.deepEqual(ignored.sort(), [
    `augment.interpolation=cubic (not one of ${INTERPOLATIONS.join(", ")})`,
    "bogus=1 (not a setting)",
    "device=tpu (not one of auto, flex, wgpu)",
    "dropout=yes (not true or false)",
    "epochs=-1 (must be a whole number, 0 or more)",
    'lr=abc ("abc" is not a number)',
    "model={not json (not a readable model design)",
    "optimizer.momentum=0.5 (not a setting of the chosen kind)",
    `recipe=nope (not one of ${[...recipes.keys()].join(", ")})`,
  ]);
  assert.equal(setup.recipe, "compact");
  assert.equal(setup.config.seed, 7);
  assert.equal(setup.device, "auto");
  // Part 1's settings share the address and are not Part 2's to judge.
  assert.ok(!ignored.some((i) => i.startsWith("tiny.")));
  // A long value is cut in the message.
  const long = read(`bogus=${"x".repeat(100)}`).ignored[0];
  assert.equal(long, `bogus=${"x".repeat(57)}… (not a setting)`);
  assert.match(read("model=lenet").ignored[0], /^model=lenet \(not one of .*compact.* or a design\)$/);
});

test("a design travels in the address as JSON", () => {
  const design = { name: "mine", layers: [{ kind: "conv", out: 4, kernel: 3, pad: 1, bias: true }] };
  const { setup, ignored } = read(`model=${encodeURIComponent(JSON.stringify(design))}`);
  assert.deepEqual(ignored, []);
  assert.deepEqual(setup.config.model, design);
});

test("written and read back, a setup is the same; a recipe's own values are left out", () => {
  const start = read("recipe=tiny&lr=0.05&schedule.kind=step&seed=3&device=wgpu&tiny.iteration=12").setup;
  const q = writeAddress(start, recipes, new URLSearchParams("tiny.iteration=12&lr=9"), 2);
  assert.deepEqual(read(q.toString()).setup, start);
  assert.equal(q.get("tiny.iteration"), "12", "Part 1's keys are kept");
  // Only what differs from the recipe, and the workers (a machine's default is not a link's).
  const plain = writeAddress(read("recipe=quick").setup, recipes, new URLSearchParams(), 2);
  assert.deepEqual([...plain.keys()], ["recipe", "workers"]);
});
