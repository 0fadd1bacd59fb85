#!/bin/sh
# grade.sh EXPECTS.cow SUBMISSION.cow...: one line per submission, its score and why.
# A point for each of the instructor's checks (EXPECTS.cow) that holds at the end of the
# submission's script; a submission with fewer than MIN_EXPECTS (default 1) `expect`
# lines of its own scores 0. COWLAB names the cowlab command (default: cowlab).
expects=$1
shift
min=${MIN_EXPECTS:-1}
"${COWLAB:-cowlab}" check --json --min-expects "$min" --expects "$expects" "$@" | python3 -c '
import json, sys
for r in json.load(sys.stdin):
    graded = [e for e in r["expects"] if e["graded"]]
    score = sum(e["pass"] for e in graded)
    if r["expect_lines"] < int(sys.argv[1]):
        score = 0
    print("%-12s %d/%d  %s" % (r["file"], score, len(graded), r["message"] or "passed"))
    for e in graded:
        if not e["pass"]:
            print("             line %d: %s" % (e["line"], e["message"]))
' "$min"
