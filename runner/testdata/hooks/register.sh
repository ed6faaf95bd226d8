#!/bin/sh
# Registration hook for tests: maps assay's client names to the reference
# server's fixture client_ids and logs its input to $HOOK_LOG.
set -eu
in=$(cat)
printf '%s\n' "$in" >>"$HOOK_LOG"
case "$in" in
*'"client_name":"assay-A"'*) echo client-a ;;
*'"client_name":"assay-B"'*) echo client-b ;;
*'"client_name":"assay-P"'*) echo client-p ;;
*) echo "no such client in this test: $in" >&2; exit 3 ;;
esac
