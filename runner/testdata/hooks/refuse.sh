#!/bin/sh
# A registration hook that fails the way a real one might.
cat >/dev/null
echo "admin API said: 403 forbidden" >&2
exit 1
