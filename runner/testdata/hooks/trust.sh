#!/bin/sh
# Trust-issuer hook for tests: records its input in $HOOK_LOG.
set -eu
cat >>"$HOOK_LOG"
echo >>"$HOOK_LOG"
