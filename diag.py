"""Diagnostic only (not shipped): the writer with its stand-alone rule switched off."""
import sys
import storywire.write.facts as F
import storywire.write.extractive as E
if sys.argv[1] == "norules":
    F.stands_alone = lambda s: True
    E.stands_alone = lambda s: True
import bench.write_quality as W
def table(title, rows):
    print(title.split(" -- ")[-1])
    for name, (r1, r2, rl), words in rows[:1] + rows[4:5]:
        print(f"  {name:30s} {r1:.3f} {r2:.3f} {rl:.3f} {words}")
W.table = table
from bench.write_quality import main
main(["--split", sys.argv[2], "--skip", "basil", "reader", "speed"] + sys.argv[3:])
