// The engine worker's replica workers: while a run trains on the CPU with several workers, the
// engine (src/mnist/parallel.rs) hands each of them slices of every batch through `send`, and
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
    if (idle) return { restarted: idle };
    try {
      return await replica.call("answer", task);
    } catch (e) {
      if (!(e instanceof EngineCrashed)) throw e;
      this.restarted[h] = null; // said here, not again at the next task
      emit("replica", { replica: h + 1, message: `Replica ${h + 1} crashed (${e.message}); a fresh one computes its slices again, and the run goes on.` } satisfies ReplicaEvent);
      return { restarted: e.message };
    }
  };

  /** The replicas failed for good: the engine computes every slice itself from now on. */
  lost = (why: string): void => {
    emit("replica", { replica: null, message: `The replica workers stopped working (${why}); the engine computes every slice itself from here, with the same results, more slowly.` } satisfies ReplicaEvent);
    this.close();
  };

  /** For tests: crashes replica `h` as running out of memory would. Whether there was one. */
  crash(h: number): boolean {
    const replica = this.replicas[h];
    if (!replica) return false;
    replica.call("crash").catch(() => {});
    return true;
  }

  close(): void {
    for (const replica of this.replicas) replica?.close();
    this.replicas.length = 0;
  }
}
