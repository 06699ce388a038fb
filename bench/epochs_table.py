"""Per-epoch test accuracy of `gradbook mnist --json` reports, as a Markdown table.

    python3 bench/epochs_table.py docs/runs/compact-*.json

One row per report: its name, the test accuracy after each epoch, the mean of the last three
epochs and the best epoch.
"""
import json
import sys


def main(paths):
    runs = [(p.rsplit("/", 1)[-1].removesuffix(".json"), json.load(open(p))) for p in paths]
    longest = max(len(r["epochs"]) for _, r in runs)
    print("| run | params | " + " | ".join(str(e) for e in range(1, longest + 1)) + " | mean of last 3 | best |")
    print("|---" * (longest + 4) + "|")
    for name, r in runs:
        acc = [e["testAccuracy"] for e in r["epochs"]]
        cells = [f"{a:.2f}" for a in acc] + [""] * (longest - len(acc))
        last3 = sum(acc[-3:]) / len(acc[-3:])
        print(f"| {name} | {r['parameters']:,} | " + " | ".join(cells) + f" | **{last3:.2f}** | {max(acc):.2f} |")


if __name__ == "__main__":
    main(sys.argv[1:])
