"""Recipe: write the default waves data set (1,000 labelled sine / sawtooth sequences of 30 steps) to CSV.

    python datasets/waves.py --out datasets/waves.csv

Same as ``tsgan data waves --out FILE``; kept here so the data set's definition sits beside the
other data recipes. The ranges are documented in ``tsgan.data.waves.make_waves``.
"""
import argparse

from tsgan.data import to_long, write_table
from tsgan.data.waves import make_waves


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--length", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="waves.csv")
    args = parser.parse_args()
    X, y = make_waves(args.n, args.length, seed=args.seed)
    write_table(to_long(X, y), args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
