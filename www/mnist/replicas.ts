// The engine worker's replica workers: while a run trains on the CPU with several workers, the
// engine (src/mnist/run/parallel.rs) hands each of them slices of every batch through `send`, and
// computes the rest itself. Started when a run first needs them, ended with the run.
//
// A replica that crashes is started afresh and the engine sends it its task again (the run
// goes on, with the same numbers); one that cannot work at all is given up, and the engine
// computes its slices itself (the same numbers, more slowly). Either way the page is told.
import cpuModule from "../../pkg/gradbook_cpu_bg.wasm.xz?url";
import { Engine, EngineCrashed } from "../engine";
import type { EngineLoaded } from "../protocol";
import { emit } from "../serve";
import type { ReplicaEvent } from "./protocol";
import type { ReplicaApi } from "./replica-worker";

/** How long a replica may take over one task (its first includes loading the engine) before it
 *  is taken for hung. Generous: a slice of the largest designs takes seconds. */
const ANSWER_WITHIN_MS = 60_000;

export class ReplicaPool {
  private readonly replicas: (Engine<ReplicaApi> | undefined)[] = [];
  /** Why replica h restarted while it had no task: it must be set up again before its next one. */
  private readonly restarted: (string | null)[] = [];

  /** `count` helpers beside the engine's own thread. */
  constructor(readonly count: number) {}

  private replica(h: number): Engine<ReplicaApi> {
    let replica = this.replicas[h];
    if (!replica) {
      replica = new Engine<ReplicaApi>(() => new Worker(new URL("./replica-worker.ts", import.meta.url), { type: "module" }));
      replica.onRestart(() => (this.restarted[h] ??= "it was started afresh"));
      this.replicas[h] = replica;
      // The replicas run the CPU engine: the page keeps it for offline use too.
      if (h === 0) emit("engine", { module: new URL(cpuModule, self.location.href).href } satisfies EngineLoaded);
    }
    return replica;
  }

  /** Hands replica `h` an encoded task: its encoded answer, or `{ restarted }` when it crashed
   *  and came back empty. Rejects when it cannot work. */
  send = async (h: number, task: Uint8Array): Promise<Uint8Array | { restarted: string }> => {
    const replica = this.replica(h);
    const idle = this.restarted[h];
    this.restarted[h] = null;
    if (idle) return this.restart(h, idle);
    let timer: ReturnType<typeof setTimeout> | undefined;
    // A replica that hangs (a worker that never finishes loading, say) would hold the run
    // forever: past ANSWER_WITHIN_MS it is ended and replaced as a crashed one is.
    const silent = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new EngineCrashed(`it did not answer within ${ANSWER_WITHIN_MS / 1000} s`)), ANSWER_WITHIN_MS);
    });
    try {
      return await Promise.race([replica.call("answer", task), silent]);
    } catch (e) {
      if (e instanceof EngineCrashed && this.replicas[h] === replica && e.message.startsWith("it did not answer")) {
        replica.close();
        this.replicas[h] = undefined;
      }
      if (!(e instanceof EngineCrashed)) throw e;
      this.restarted[h] = null; // said here, not again at the next task
      return this.restart(h, e.message);
    } finally {
      clearTimeout(timer);
    }
  };

  /** Says that replica `h` crashed (during a task, or between two) and was started afresh. */
  private restart(h: number, why: string): { restarted: string } {
    emit("replica", { replica: h + 1, message: `Replica ${h + 1} crashed (${why}); a fresh one computes its slices again, and the run goes on.` } satisfies ReplicaEvent);
    return { restarted: why };
  }

  /** The replicas failed for good: the engine computes every slice itself from now on. */
  lost = (why: string): void => {
    emit("replica", { replica: null, message: `The replica workers stopped working (${why}); the engine computes every slice itself from here, with the same results, more slowly.` } satisfies ReplicaEvent);
    this.close();
  };

  /** For tests: crashes replica `h` as running out of memory would, or makes it hang. Whether
   *  there was one. */
  crash(h: number, how: "trap" | "hang" = "trap"): boolean {
    const replica = this.replicas[h];
    if (!replica) return false;
    replica.call(how === "trap" ? "crash" : "hang").catch(() => {});
    return true;
  }

  close(): void {
    for (const replica of this.replicas) replica?.close();
    this.replicas.length = 0;
  }
}
