#!/bin/sh
# Trust-issuer hook for tests: records its input and the token endpoint it
# was given in $HOOK_LOG.
set -eu
cat >>"$HOOK_LOG"
echo >>"$HOOK_LOG"
echo "ASSAY_TOKEN_ENDPOINT=$ASSAY_TOKEN_ENDPOINT" >>"$HOOK_LOG"
