// The training cell's sentence on when a run first reached 99 % and 99.4 % (www/mnist/milestones.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import { MILESTONES } from "../../www/generated/engine";
import { milestonesText } from "../../www/mnist/milestones";
import type { TestPoint } from "../../www/mnist/protocol";

const point = (epoch: number, batch: number, seconds: number, accuracy: number): TestPoint => ({ epoch, batch, batches: 1875, seconds, accuracy, loss: 0.05 });
const plain = (html: string) => html.replace(/<[^>]+>/g, "");

test("the milestones are the Rust core's", () => assert.deepEqual(MILESTONES, [99, 99.4]));

test("no test yet: nothing to say", () => assert.equal(milestonesText([], true), ""));

test("each milestone at the first test that reached it, in the run's seconds and epochs", () => {
  const tests = [point(1, 1875, 24.1, 98.44), point(2, 1875, 46.8, 99.31), point(3, 375, 52.4, 99.4), point(3, 750, 55, 99.46)];
  const html = milestonesText(tests, true);
  assert.equal(plain(html), "Test accuracy reached 99% after 46.8 s (epoch 2.00) and 99.4% after 52.4 s (epoch 2.20).");
  // Each time is marked with its milestone (the bench times when each first shows).
  assert.match(html, /<strong data-milestone="99">46\.8 s<\/strong>.*<strong data-milestone="99\.4">52\.4 s<\/strong>/);
  assert.equal(milestonesText(tests, false), html, "an ended run says the same");
});

test("one reached, one not: 'not yet' while the run goes on, 'did not' once it has ended", () => {
  const tests = [point(1, 1875, 24.1, 98.55), point(2, 1875, 50, 99.09), point(3, 1875, 78.1, 99.37)];
  assert.equal(plain(milestonesText(tests, true)), "Test accuracy reached 99% after 50.0 s (epoch 2.00); not yet 99.4%.");
  assert.equal(plain(milestonesText(tests, false)), "Test accuracy reached 99% after 50.0 s (epoch 2.00); it did not reach 99.4%.");
});

test("none reached", () => {
  const tests = [point(1, 1875, 24.1, 98.2)];
  assert.equal(milestonesText(tests, true), "Test accuracy has not reached 99% or 99.4% yet.");
  assert.equal(milestonesText(tests, false), "Test accuracy did not reach 99% or 99.4%.");
});
