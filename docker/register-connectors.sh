#!/bin/sh
# One-shot: waits for the Connect REST API, then creates or updates each connector (PUT is idempotent).
set -eu
until curl -fsS http://connect:8083/connectors >/dev/null; do echo "waiting for Connect..."; sleep 3; done
for f in /connectors/postgres-sink.json /connectors/mysql-source.json; do
  name=$(sed -n 's/^ *"name": *"\([^"]*\)".*/\1/p' "$f" | head -1)
  # the REST API takes {"config":...} on POST and the bare config on PUT: send the config object
  config=$(tr -d '\n' < "$f" | sed 's/^.*"config": *\({.*}\) *} *$/\1/')
  echo "registering $name from $f"
  echo "$config" | curl -fsS -X PUT -H 'Content-Type: application/json' --data-binary @- \
    "http://connect:8083/connectors/$name/config"
  echo
done
