#!/usr/bin/env bash
# Round trip through the AWS CLI v2. Run `npm start` first, then: bash docs/examples/cli-roundtrip.sh
set -euo pipefail
source "${ARCA_DATA_DIR:-.arca-dev}/credentials.env"
kms() { aws --endpoint-url "$ARCA_ENDPOINT" kms "$@"; }

KEY_ID=$(kms create-key --description "my first Arca key" --query KeyMetadata.KeyId --output text)
kms create-alias --alias-name "alias/example-$KEY_ID" --target-key-id "$KEY_ID"

dir=$(mktemp -d)
printf 'hello, arca' > "$dir/secret.txt"
kms encrypt --key-id "alias/example-$KEY_ID" --plaintext "fileb://$dir/secret.txt" \
  --encryption-context purpose=example --query CiphertextBlob --output text | base64 -d > "$dir/secret.enc"
kms decrypt --ciphertext-blob "fileb://$dir/secret.enc" --encryption-context purpose=example \
  --query Plaintext --output text | base64 -d
echo
