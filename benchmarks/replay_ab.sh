#!/bin/bash
# Before/after of the replay layer: the same warm /doc/ request, old (6980104) and new (HEAD) ldpub, 2 granian workers each, wrk 16 connections.
PY=${PY:-/work/main/.venv/bin/python}  # old code in /tmp/wt-old (git worktree add /tmp/wt-old 6980104), new in /tmp/wt-final
STORE=/tmp/soakA
URL_PATH=/doc/document/prc-fma-118-01025-02
run() { # dir port
  cd $1 && $PY -m ldpub --config ldpub.toml serve --store $STORE --host 127.0.0.1 --port $2 --workers 2 > /tmp/prof/ab-$2.log 2>&1 &
  for i in $(seq 1 100); do curl -s -o /dev/null http://127.0.0.1:$2/ && break; sleep 0.2; done
  for i in 1 2 3; do curl -s -o /dev/null -H 'Accept: text/turtle' http://127.0.0.1:$2$URL_PATH; done
}
run /tmp/wt-old 39101; run /tmp/wt-final 39102
for round in 1 2 3; do
  for port in 39101 39102; do
    r=$(wrk -t2 -c16 -d8s -H 'Accept: text/turtle' http://127.0.0.1:$port$URL_PATH | grep -E "Requests/sec|Non-2xx")
    echo "round $round port $port $r"
  done
done
pkill -f "serve --store /tmp/soakA --host 127.0.0.1 --port 3910"
