#!/bin/sh
# A registration hook for tests: echoes the metadata it got to $HOOK_LOG
# and prints a client_id derived from client_name. HOOK_MODE picks a
# misbehaviour.
set -eu
in=$(cat)
[ -n "${HOOK_LOG:-}" ] && printf '%s\n' "$in" >>"$HOOK_LOG"
case "${HOOK_MODE:-ok}" in
ok) printf '%s\n' "$in" | sed -n 's/.*"client_name":"\([^"]*\)".*/id-\1/p' ;;
json) echo '{"client_id":"from-json","client_secret":"s3cr3t"}' ;;
fail) echo "target said no" >&2; exit 7 ;;
silent) ;;
hang) sleep 60 ;;
esac
